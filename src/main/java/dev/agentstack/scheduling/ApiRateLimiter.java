package dev.agentstack.scheduling;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Client-side rate limit for the controller's writes to the Kubernetes API (what client-go calls QPS and burst; fabric8
 * has none): a token bucket refilled at {@code qps} tokens a second, holding at most {@code burst}. {@link #acquire()}
 * waits for a token; it never holds a lock while waiting. A qps of 0 means no limit.
 */
public final class ApiRateLimiter {

    private final double qps;
    private final double burst;
    private final LongSupplier clock;
    private double tokens;
    private long refilledAt;

    public ApiRateLimiter(double qps, int burst, LongSupplier clock) {
        this.qps = qps;
        this.burst = Math.max(1, burst);
        this.clock = clock;
        this.tokens = this.burst;
        this.refilledAt = clock.getAsLong();
    }

    public ApiRateLimiter(double qps, int burst) {
        this(qps, burst, System::nanoTime);
    }

    /** Waits until a request may be sent. */
    public void acquire() {
        long waitNanos;
        while ((waitNanos = tryAcquire()) > 0) {
            LockSupport.parkNanos(waitNanos);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** Takes a token and returns 0, or returns how long to wait (ns) before one is available. */
    synchronized long tryAcquire() {
        if (qps <= 0) {
            return 0;
        }
        long now = clock.getAsLong();
        tokens = Math.min(burst, tokens + (now - refilledAt) * qps / TimeUnit.SECONDS.toNanos(1));
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / qps * TimeUnit.SECONDS.toNanos(1));
    }
}
