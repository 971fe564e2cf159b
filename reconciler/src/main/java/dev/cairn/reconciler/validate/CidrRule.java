package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.manifest.Infrastructure;

import java.util.List;
import java.util.Optional;

/** The VPC CIDR must be a real IPv4 network AWS accepts: octets 0–255, prefix /16–/28, no host bits. */
final class CidrRule {
    private CidrRule() {
    }

    static Optional<Diagnostic> check(Infrastructure infra) {
        var network = infra.spec().network();
        if (network == null || network.cidr() == null) return Optional.empty();
        var cidr = network.cidr();
        var loc = infra.sourceMap().value("/spec/network/cidr");
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
