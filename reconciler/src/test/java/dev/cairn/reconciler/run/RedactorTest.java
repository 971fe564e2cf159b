package dev.cairn.reconciler.run;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the redactor masks: every occurrence of every known secret, inside text, maps and lists. */
class RedactorTest {
    @Test
    void everyOccurrenceOfEveryKnownSecretIsMasked() {
        var redactor = new Redactor();
        redactor.add("hunter22");
        redactor.add(Map.of("token", "ghp_abcdef", "nested", List.of("s3cr3t-list")));

        assertThat(redactor.apply("pw=hunter22 again hunter22; token ghp_abcdef, s3cr3t-list"))
                .isEqualTo("pw=(sensitive) again (sensitive); token (sensitive), (sensitive)");
    }

    @Test
    void textWithoutSecretsAndNullPassUnchanged() {
        var redactor = new Redactor();
        assertThat(redactor.apply("nothing known yet")).isEqualTo("nothing known yet");
        redactor.add("hunter22");
        assertThat(redactor.apply("plain text")).isEqualTo("plain text");
        assertThat(redactor.apply(null)).isNull();
    }

    @Test
    void valuesTooShortToBeSecretsAreNotMaskedEverywhere() {
        // masking "on" or "1" would garble every log line; numbers need six digits
        var redactor = new Redactor();
        redactor.add("on");
        redactor.add(42);
        redactor.add(1234567);
        redactor.add(null);
        assertThat(redactor.apply("on port 42, pin 1234567")).isEqualTo("on port 42, pin (sensitive)");
    }

    @Test
    void revealsFindsASecretAnywhereInAValue() {
        var redactor = new Redactor();
        redactor.add("hunter22");
        assertThat(redactor.reveals("postgres://u:hunter22@db")).isTrue();
        assertThat(redactor.reveals(List.of("a", Map.of("k", "x-hunter22")))).isTrue();
        assertThat(redactor.reveals(Map.of("k", List.of("fine")))).isFalse();
        assertThat(redactor.reveals(null)).isFalse();
        assertThat(redactor.reveals(12345678)).isFalse();
        redactor.add(12345678);
        assertThat(redactor.reveals(12345678)).isTrue();
    }
}
