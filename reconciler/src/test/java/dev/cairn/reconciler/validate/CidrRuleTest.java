package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.diag.Location;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** CidrRule at its edges: the largest octet, both prefix bounds, and the network it suggests. */
class CidrRuleTest {
    private static final Location AT = Location.of(Path.of("infrastructures/dev.yaml"), 8, 11);

    @Test
    void twoHundredFiftyFiveIsAnOctetAndTwoHundredFiftySixIsNot() {
        assertThat(CidrRule.check("10.255.0.0/16", AT)).isEmpty();
        assertThat(CidrRule.check("10.256.0.0/16", AT)).get()
                .satisfies(d -> assertThat(d.message()).contains("256 is not an octet"));
    }

    @Test
    void prefixesSixteenToTwentyEightAreAcceptedAndTheirNeighboursAreNot() {
        assertThat(CidrRule.check("10.0.0.0/16", AT)).isEmpty();
        assertThat(CidrRule.check("10.0.0.0/28", AT)).isEmpty();
        assertThat(CidrRule.check("10.0.0.0/15", AT)).isPresent();
        assertThat(CidrRule.check("10.0.0.0/29", AT)).isPresent();
    }

    @Test
    void hostBitsSetSuggestTheNetworkThatHoldsTheAddress() {
        // 77 = 0100 1101: a /20 keeps 0100 of the third octet, 64; a /28 keeps 40 & 1111 0000 = 32
        assertThat(CidrRule.check("172.31.77.200/20", AT)).get()
                .satisfies(d -> assertThat(d.hint()).isEqualTo("did you mean `172.31.64.0/20`?"));
        assertThat(CidrRule.check("10.20.30.40/28", AT)).get()
                .satisfies(d -> assertThat(d.hint()).isEqualTo("did you mean `10.20.30.32/28`?"));
        assertThat(CidrRule.check("192.168.255.1/16", AT)).get()
                .satisfies(d -> assertThat(d.hint()).isEqualTo("did you mean `192.168.0.0/16`?"));
    }

    @Test
    void aDiagnosticIsAtTheValueWithTheCidrRule() {
        var d = CidrRule.check("10.0.1.0/16", AT).orElseThrow();
        assertThat(d.rule()).isEqualTo("cidr");
        assertThat(d.location()).isEqualTo(AT);
    }
}
