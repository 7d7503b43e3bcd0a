package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** An RBAC refusal backs polls off, doubling up to a minute, is logged once, and a creation lifts it. */
class CreatePermissionTest {

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final CreatePermission permission = new CreatePermission(Duration.ofSeconds(1), clock);

    @Test
    void refusalsBackPollsOffUntilACreationSucceeds() {
        try (LogCapture logs = new LogCapture()) {
            assertThat(permission.allowsPoll()).isTrue();
            permission.refused("forbidden: User \"sa\" cannot create resource \"jobs\"");
            assertThat(permission.allowsPoll()).isFalse();
            assertThat(permission.refusal()).isEqualTo("forbidden: User \"sa\" cannot create resource \"jobs\"");
            now = now.plusSeconds(1);
            assertThat(permission.allowsPoll())
                    .as("the poll after a second tries again")
                    .isTrue();

            permission.refused("forbidden again");
            now = now.plusSeconds(1);
            assertThat(permission.allowsPoll()).as("then two seconds").isFalse();
            now = now.plusSeconds(1);
            assertThat(permission.allowsPoll()).isTrue();
            for (int i = 0; i < 10; i++) {
                permission.refused("forbidden again");
            }
            now = now.plusSeconds(59);
            assertThat(permission.allowsPoll()).isFalse();
            now = now.plusSeconds(1);
            assertThat(permission.allowsPoll()).as("at most a minute").isTrue();

            permission.permitted();
            assertThat(permission.refusal()).isNull();
            assertThat(permission.allowsPoll()).isTrue();
            permission.permitted();
            assertThat(logs.linesContaining("does not let this controller create Jobs"))
                    .hasSize(1);
            assertThat(logs.linesContaining("create Jobs again after 12 refused creation(s)"))
                    .hasSize(1);
        }
    }
}
