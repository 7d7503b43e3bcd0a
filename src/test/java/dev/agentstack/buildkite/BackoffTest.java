package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1));

    @Test
    void doublesFromTheFirstWaitUpToItsLimit() {
        assertThat(backoff.after(1, null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(2, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(4, null)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.after(5, null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.after(1_000, null)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void keepsTheWaitTheServerAskedForUpToItsLimit() {
        assertThat(backoff.after(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.after(3, Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(backoff.after(1, Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(1));
    }
}
