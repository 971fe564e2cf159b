package dev.cairn.reconciler.module;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The declared variables and outputs of a Terraform module, read from its top-level {@code *.tf}
 * files, and whether it needs the AWS provider. {@code known == false} means the module cannot be
 * inspected before it is fetched (registry), so any name is accepted.
 */
public record ModuleInterface(boolean known, Set<String> variables, Set<String> outputs, boolean needsAws) {
    private static final Pattern VARIABLE = Pattern.compile("(?m)^\\s*variable\\s+\"([^\"]+)\"");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^\\s*output\\s+\"([^\"]+)\"");
    private static final Pattern AWS = Pattern.compile("hashicorp/aws|(?m)^\\s*(resource|data)\\s+\"aws_");

    public static final ModuleInterface UNKNOWN = new ModuleInterface(false, Set.of(), Set.of(), false);

    public static ModuleInterface scan(Path dir) {
        var variables = new TreeSet<String>();
        var outputs = new TreeSet<String>();
        boolean aws = false;
        try (Stream<Path> files = Files.list(dir)) {
            for (var file : files.filter(ModuleInterface::isTfFile).toList()) {
                var text = Files.readString(file);
                VARIABLE.matcher(text).results().forEach(m -> variables.add(m.group(1)));
                OUTPUT.matcher(text).results().forEach(m -> outputs.add(m.group(1)));
                aws |= AWS.matcher(text).find();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ModuleInterface(true, variables, outputs, aws);
    }

    /** What {@link #scan} depends on: the top-level *.tf files' names, sizes and modification times. */
    static String fingerprint(Path dir) {
        var out = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (var file : files.filter(ModuleInterface::isTfFile).sorted().toList()) {
                var attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
                out.append(file.getFileName()).append(':').append(attrs.size()).append(':')
                        .append(attrs.lastModifiedTime().toMillis()).append(';');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A top-level *.tf file that is a regular file: a symlink is never read (it could point at any file of the machine). */
    private static boolean isTfFile(Path p) {
        return p.getFileName().toString().endsWith(".tf") && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public boolean declaresVariable(String name) {
        return !known || variables.contains(name);
    }
}
