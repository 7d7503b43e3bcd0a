package dev.agentstack.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentKeysTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void forgetsTheOldestBeyondItsCapacity() {
        RecentKeys<Integer> keys = new RecentKeys<>(100, Duration.ofHours(1), nanos::get);
        for (int i = 0; i < 100_000; i++) {
            keys.add(i);
        }
        assertThat(keys.size()).isEqualTo(100);
        assertThat(keys.contains(99_999)).isTrue();
        assertThat(keys.contains(99_899)).isFalse();
    }

    @Test
    void forgetsKeysAfterTheirTimeToLive() {
        RecentKeys<String> keys = new RecentKeys<>(10, Duration.ofSeconds(10), nanos::get);
        keys.add("a");
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        keys.add("b");
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(keys.contains("a")).as("11s old").isFalse();
        assertThat(keys.contains("b")).as("5s old").isTrue();
        assertThat(keys.add("b")).as("re-adding refreshes").isFalse();
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(keys.contains("b")).isTrue();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(keys.size()).isZero();
    }
}
