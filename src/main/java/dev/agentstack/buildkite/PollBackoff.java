package dev.agentstack.buildkite;

import dev.agentstack.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spaces out polls after a failed one: the server's Retry-After when it sent one, else an exponential backoff from the
 * poll interval up to {@link #MAX_BACKOFF}. A successful poll resets it. The poll timer keeps ticking; the route skips
 * ticks that come before {@link #isPollDue()}.
 */
public final class PollBackoff {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");

    private record State(int failures, Instant nextPollAt) {
    }

    private final Duration pollInterval;
    private final Clock clock;
    private final AtomicReference<State> state;

    public PollBackoff(Duration pollInterval, Clock clock) {
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.state = new AtomicReference<>(new State(0, Instant.MIN));
    }

    public boolean isPollDue() {
        return !clock.instant().isBefore(state.get().nextPollAt());
    }

    public void recordSuccess() {
        State previous = state.getAndSet(new State(0, Instant.MIN));
        if (previous.failures() > 0) {
            LOG.info("poll succeeded again after {} failed poll(s)", previous.failures());
        }
    }

    /** Records a failed poll, logs one line about it and returns its classification. */
    public ApiFailure recordFailure(Throwable error) {
        Instant now = clock.instant();
        ApiFailure failure = ApiFailure.of(error, now);
        State next = state.updateAndGet(s -> {
            int failures = s.failures() + 1;
            return new State(failures, now.plus(delay(failures, failure.retryAfter())));
        });
        Duration wait = Duration.between(now, next.nextPollAt());
        LOG.warn("poll failed ({}): {}; next poll in {}", failure.reason(), failure.message(), Durations.format(wait));
        return failure;
    }

    public int consecutiveFailures() {
        return state.get().failures();
    }

    Duration delay(int failures, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        Duration d = pollInterval.multipliedBy(1L << Math.min(failures - 1, 16));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
