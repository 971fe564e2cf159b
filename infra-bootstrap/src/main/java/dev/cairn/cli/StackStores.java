package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.cli.invoke.DeployedStack;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where {@code cairn status} and {@code cairn outputs} read runs, locks and outputs: the local
 * state dir, or with {@code --stack NAME} the DynamoDB table, S3 bucket and KMS key of a deployed
 * Cairn stack. Their physical ids come from CloudFormation (logical ids {@code Table},
 * {@code Bucket}, {@code Key} of {@code template.yaml}), the region from the stack's ARN, and the
 * endpoint and credentials from the process environment ({@code AWS_ENDPOINT_URL} for an
 * emulator), so the commands print what the deployed functions wrote.
 */
record StackStores(RunStore runs, LockStore locks, OutputStore outputs, AutoCloseable resources) implements AutoCloseable {

    /** The logical ids of the stores in {@code template.yaml}. */
    static final String TABLE = "Table";
    static final String BUCKET = "Bucket";
    static final String KEY = "Key";

    /** Thrown when the stack cannot be read or is not a Cairn stack; the message names the stack, no secrets. */
    static final class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The local state dir's stores. */
    static StackStores local(Workspace workspace) {
        return new StackStores(workspace.runs(), workspace.locks(), workspace.outputs(), () -> { });
    }

    /** The deployed stack's stores, read with {@code processEnv}'s endpoint and credentials. */
    static StackStores deployed(String stackName, Map<String, String> processEnv) {
        DeployedStack stack;
        try {
            stack = DeployedStack.describe(stackName);
        } catch (DeployedStack.UnavailableException e) {
            throw new UnavailableException(e.getMessage(), e);
        }
        var stores = AwsStores.fromEnv(env(stack, processEnv));
        return new StackStores(stores.runs(), stores.locks(), stores.outputs(), stores);
    }

    /** The {@link AwsStores#fromEnv} map for {@code stack}: its store ids and region, the process's endpoint and credentials. */
    static Map<String, String> env(DeployedStack stack, Map<String, String> processEnv) {
        var env = new HashMap<String, String>();
        for (var name : List.of("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            var value = processEnv.get(name);
            if (value != null && !value.isBlank()) env.put(name, value);
        }
        env.put("AWS_REGION", stack.region());
        env.put(AwsStores.TABLE, physicalId(stack, TABLE, "AWS::DynamoDB::Table"));
        env.put(AwsStores.BUCKET, physicalId(stack, BUCKET, "AWS::S3::Bucket"));
        var key = stack.resources().get(KEY);
        if (key != null) env.put(AwsStores.KMS_KEY_ID, key.physicalId());
        return env;
    }

    private static String physicalId(DeployedStack stack, String logicalId, String type) {
        var resource = stack.resources().get(logicalId);
        if (resource == null) {
            throw new UnavailableException("stack `" + stack.name() + "` has no `" + logicalId + "` (" + type
                    + "): it is not a Cairn stack deployed from template.yaml", null);
        }
        return resource.physicalId();
    }

    /** Prints why the stack cannot be read, with a hint; the caller exits {@link Cairn#INVALID}. */
    static int report(PrintWriter err, UnavailableException e) {
        err.println("error: " + e.getMessage());
        err.println("    hint: is the stack deployed there? (bin/deploy-emulated for the emulator; AWS_ENDPOINT_URL and AWS_REGION select where)");
        err.flush();
        return Cairn.INVALID;
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
