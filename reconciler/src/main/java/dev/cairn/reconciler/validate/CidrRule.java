package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.manifest.Infrastructure;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The VPC CIDR must be a real IPv4 network AWS accepts: octets 0–255, prefix /16–/28, no host bits. */
public final class CidrRule {
    private static final Pattern FORMAT = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}");

    private CidrRule() {
    }

    static Optional<Diagnostic> check(Infrastructure infra) {
        var network = infra.spec().network();
        // a CIDR inherited from cairn.yaml's defaults is checked (and reported) there, once
        if (network == null || network.cidr() == null || !infra.sourceMap().has("/spec/network/cidr")) return Optional.empty();
        return check(network.cidr(), infra.sourceMap().value("/spec/network/cidr"));
    }

    /** Checks {@code cidr}, found at {@code loc}; a string not in a.b.c.d/n form is left to the schema check. */
    public static Optional<Diagnostic> check(String cidr, Location loc) {
        if (!FORMAT.matcher(cidr).matches()) return Optional.empty();
        var parts = cidr.split("/");
        var octets = parts[0].split("\\.");
        long address = 0;
        for (var octet : octets) {
            int value = Integer.parseInt(octet);
            if (value > 255) {
                return Optional.of(new Diagnostic(loc, "cidr", "`" + cidr + "` is not an IPv4 network: " + value + " is not an octet (0-255)",
                        "use a private range such as 10.0.0.0/16"));
            }
            address = (address << 8) | value;
        }
        int prefix = Integer.parseInt(parts[1]);
        if (prefix < 16 || prefix > 28) {
            return Optional.of(new Diagnostic(loc, "cidr", "`" + cidr + "`: a VPC prefix must be between /16 and /28",
                    "use for example " + parts[0] + "/16"));
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        if ((address & ~mask & 0xFFFFFFFFL) != 0) {
            long network32 = address & mask;
            var fixed = ((network32 >> 24) & 255) + "." + ((network32 >> 16) & 255) + "." + ((network32 >> 8) & 255) + "." + (network32 & 255) + "/" + prefix;
            return Optional.of(new Diagnostic(loc, "cidr", "`" + cidr + "` has host bits set",
                    "did you mean `" + fixed + "`?"));
        }
        return Optional.empty();
    }

    static List<Diagnostic> all(Infrastructure infra) {
        return check(infra).map(List::of).orElse(List.of());
    }
}
