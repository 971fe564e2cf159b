package dev.cairn.cli.invoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * Runs a Lambda handler in this JVM the way the Java runtime would: loads {@code CLASS::method}
 * by name, builds it (with a {@code (Map<String,String> env)} constructor when it has one, since a
 * JVM cannot change its own environment; else with the no-arg one), turns the event JSON into the
 * handler's input type with Lambda's own serializers ({@code aws-lambda-java-serialization}:
 * the event serializers for the types it supports, its Jackson POJO serializer for the rest, as
 * the runtime does), calls it, and turns the result back into JSON.
 */
public final class HandlerInvoker {

    /** The handler could not be found or built: bad usage or a missing jar, not a handler failure. */
    public static final class LoadException extends RuntimeException {
        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The event file is not what the handler's input type can be read from. */
    public static final class EventException extends RuntimeException {
        EventException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The handler threw; the cause is what it threw. */
    public static final class HandlerFailedException extends RuntimeException {
        HandlerFailedException(Throwable cause) {
            super(cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        }
    }

    private final ClassLoader loader;

    public HandlerInvoker(ClassLoader loader) {
        this.loader = loader;
    }

    /** Invokes {@code handler} ({@code CLASS} or {@code CLASS::method}) with the event's JSON; returns the result's JSON. */
    public byte[] invoke(String handler, Map<String, String> environment, byte[] event, Context context) {
        var separator = handler.indexOf("::");
        var className = separator < 0 ? handler : handler.substring(0, separator);
        var methodName = separator < 0 ? "handleRequest" : handler.substring(separator + 2);
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LoadException("handler class " + className + " is not on the classpath (" + e.getClass().getSimpleName()
                    + "); build the functions module so that its jar is on the CLI's classpath", e);
        }
        var instance = instantiate(type, environment);
        var method = handlerMethod(type, methodName);
        try {
            var params = method.getParameterTypes();
            if (params.length == 3 && params[0] == InputStream.class && params[1] == OutputStream.class) {
                var out = new ByteArrayOutputStream();
                method.invoke(instance, new ByteArrayInputStream(event), out, context);
                return out.toByteArray();
            }
            var inputType = inputType(type, method);
            var input = params.length == 0 ? null : read(inputType, event);
            var result = params.length == 0 ? method.invoke(instance)
                    : params.length == 1 ? method.invoke(instance, input)
                    : method.invoke(instance, input, context);
            return method.getReturnType() == void.class ? new byte[0] : write(result);
        } catch (InvocationTargetException e) {
            throw new HandlerFailedException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new LoadException("handler method " + handler + " is not accessible: " + e.getMessage(), e);
        }
    }

    private static Object instantiate(Class<?> type, Map<String, String> environment) {
        try {
            try {
                return type.getConstructor(Map.class).newInstance(environment);
            } catch (NoSuchMethodException noEnvConstructor) {
                return type.getConstructor().newInstance();
            }
        } catch (NoSuchMethodException e) {
            throw new LoadException("handler class " + type.getName() + " has neither a public (Map<String,String> env) nor a public no-arg constructor", e);
        } catch (InvocationTargetException e) {
            throw new HandlerFailedException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new LoadException("cannot build handler " + type.getName() + ": " + e, e);
        }
    }

    /** The public method of that name the runtime would pick: not a bridge, the most parameters first. */
    static Method handlerMethod(Class<?> type, String name) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(name) && !m.isBridge() && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getParameterCount() <= 3)
                .filter(m -> m.getParameterCount() < 2 || Context.class.isAssignableFrom(m.getParameterTypes()[m.getParameterCount() - 1]))
                .max(Comparator.comparingInt(Method::getParameterCount))
                .orElseThrow(() -> new LoadException("handler class " + type.getName() + " has no public method " + name
                        + "(input[, Context]) or " + name + "(InputStream, OutputStream, Context)", null));
    }

    private static Type inputType(Class<?> type, Method method) {
        if (RequestHandler.class.isAssignableFrom(type)) {
            var generic = requestHandlerInput(type);
            if (generic != null) return generic;
        }
        return method.getParameterCount() == 0 ? Object.class : method.getGenericParameterTypes()[0];
    }

    private static Type requestHandlerInput(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (var i : c.getGenericInterfaces()) {
                if (i instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) return p.getActualTypeArguments()[0];
            }
        }
        return null;
    }

    private Object read(Type inputType, byte[] event) {
        try {
            return serializer(inputType).fromJson(new ByteArrayInputStream(event));
        } catch (RuntimeException e) {
            var cause = e.getCause() == null ? e : e.getCause();
            throw new EventException("the event does not deserialize into " + inputType.getTypeName() + ": " + cause.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private byte[] write(Object result) {
        if (result == null) return "null".getBytes(StandardCharsets.UTF_8);
        var out = new ByteArrayOutputStream();
        ((PojoSerializer<Object>) serializer(result.getClass())).toJson(result, out);
        return out.toByteArray();
    }

    private PojoSerializer<?> serializer(Type type) {
        if (type instanceof Class<?> c && LambdaEventSerializers.isLambdaSupportedEvent(c.getName())) {
            return LambdaEventSerializers.serializerFor(c, loader);
        }
        return type instanceof Class<?> c ? JacksonFactory.getInstance().getSerializer(c) : JacksonFactory.getInstance().getSerializer(type);
    }
}
