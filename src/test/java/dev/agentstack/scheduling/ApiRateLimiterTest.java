package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ApiRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void allowsABurstThenTheRate() {
        ApiRateLimiter limiter = new ApiRateLimiter(10, 20, nanos::get);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire()).as("burst %d", i).isZero();
        }
        long wait = limiter.tryAcquire();
        assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        int allowed = 0;
        while (limiter.tryAcquire() == 0) {
            allowed++;
        }
        assertThat(allowed).as("one second refills qps tokens").isEqualTo(10);
    }

    @Test
    void zeroQpsMeansNoLimit() {
        ApiRateLimiter limiter = new ApiRateLimiter(0, 1, nanos::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire()).isZero();
        }
    }
}
