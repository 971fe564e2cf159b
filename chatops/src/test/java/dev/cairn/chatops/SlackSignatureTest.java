package dev.cairn.chatops;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack), with the clock at its time. */
class SlackSignatureTest {
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TIMESTAMP = "1531420618";
    static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    static SlackSignature at(long epochSeconds) {
        return new SlackSignature(SECRET, Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
    }

    @Test
    void slacksDocumentedExampleVerifies() {
        var signature = at(1531420618);
        assertThat(signature.sign(TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
        assertThat(signature.problem(TIMESTAMP, SIGNATURE, BODY)).isEmpty();
        assertThat(at(1531420618 + 300).problem(TIMESTAMP, SIGNATURE, BODY)).as("300 s later").isEmpty();
    }

    @Test
    void expiredAndFutureTimestampsAreRefused() {
        assertThat(at(1531420618 + 301).problem(TIMESTAMP, SIGNATURE, BODY)).get().asString().contains("300 s window");
        assertThat(at(1531420618 - 301).problem(TIMESTAMP, SIGNATURE, BODY)).as("from the future").get().asString().contains("300 s window");
        assertThat(at(1531420618 - 365L * 86400).problem(TIMESTAMP, SIGNATURE, BODY)).isPresent();
    }

    @Test
    void tamperedOrMissingPartsAreRefused() {
        var signature = at(1531420618);
        assertThat(signature.problem(TIMESTAMP, SIGNATURE, BODY.replace("roadrunner", "coyote"))).get().asString().contains("does not match");
        assertThat(signature.problem(TIMESTAMP, SIGNATURE.replace("a2114", "a2115"), BODY)).isPresent();
        assertThat(signature.problem(null, SIGNATURE, BODY)).get().asString().contains("Timestamp");
        assertThat(signature.problem(TIMESTAMP, null, BODY)).get().asString().contains("Signature");
        assertThat(signature.problem("soon", SIGNATURE, BODY)).get().asString().contains("not a number");
        assertThat(signature.problem(TIMESTAMP, SIGNATURE, "x".repeat(SlackSignature.MAX_BODY_BYTES + 1))).get().asString().contains("body over");
        assertThat(new SlackSignature("another-secret", Clock.fixed(Instant.ofEpochSecond(1531420618), ZoneOffset.UTC))
                .problem(TIMESTAMP, SIGNATURE, BODY)).isPresent();
    }
}
