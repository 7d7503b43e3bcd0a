package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A library that logs a token (Camel does, at debug level) writes a masked line instead. */
class SecretRedactionTest {

    private static final String SECRET = "bkua_redaction_sentinel_93c1";
    private final Logger log = LoggerFactory.getLogger("some.library");

    @Test
    void aRegisteredSecretIsMaskedInMessagesArgumentsAndExceptionChains() {
        SecretRedaction.register(SECRET);
        try (LogCapture logs = new LogCapture()) {
            log.info("Resolved text: {{token}} -> " + SECRET);
            log.info("header Authorization: Bearer {}", SECRET);
            log.warn(
                    "call failed",
                    new IllegalStateException("outer", new IllegalArgumentException("token " + SECRET + " refused")));
            log.info("nothing secret here");

            assertThat(logs.lines()).hasSize(4).noneMatch(l -> l.contains(SECRET));
            assertThat(logs.lines().get(0)).isEqualTo("INFO [some.library] Resolved text: {{token}} -> [REDACTED]");
            assertThat(logs.lines().get(1)).endsWith("Bearer [REDACTED]");
            assertThat(logs.lines().get(2))
                    .contains("java.lang.IllegalStateException: outer")
                    .contains("Caused by: java.lang.IllegalArgumentException: token [REDACTED] refused")
                    .contains("at dev.agentstack.runtime.SecretRedactionTest");
            assertThat(logs.lines().get(3)).isEqualTo("INFO [some.library] nothing secret here");
        }
    }

    @Test
    void shortValuesAreNotTreatedAsSecrets() {
        SecretRedaction.register("abc");
        assertThat(SecretRedaction.redact("abc def")).isEqualTo("abc def");
    }
}
