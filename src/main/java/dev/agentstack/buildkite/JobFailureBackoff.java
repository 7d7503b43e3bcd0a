package dev.agentstack.buildkite;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per job, how long to leave it before trying again to fail it in Buildkite (through the agent API or the Stacks API's
 * finish): after each failed attempt the wait doubles from {@link #FIRST} up to {@link #MAX}, or is the wait Buildkite
 * asked for. Without it every watch resync or poll would try a job again at once, and a job Buildkite keeps refusing
 * would cost API calls for ever. Remembers at most {@link #CAPACITY} jobs, the least recently failed forgotten first.
 * Thread-safe. One is shared by both ways of failing a job (bean {@code jobFailureBackoff}), which the routes ask
 * before they try.
 */
public final class JobFailureBackoff {

    static final Duration FIRST = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(10);
    static final int CAPACITY = 10_000;

    private record Failures(int count, Instant retryAt) {}

    private final Clock clock;
    private final Backoff backoff = new Backoff(FIRST, MAX, MAX);
    private final Map<String, Failures> byUuid = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > CAPACITY;
        }
    };

    public JobFailureBackoff(Clock clock) {
        this.clock = clock;
    }

    /** True while an earlier attempt to fail the job failed and its backoff is not over. */
    public boolean backingOff(String uuid) {
        return !remaining(uuid).isZero();
    }

    /** Throws {@link JobFailer.BackingOff}, without calling Buildkite, while the job's backoff is not over. */
    public void checkNotBackingOff(String uuid) {
        Duration left = remaining(uuid);
        if (!left.isZero()) {
            throw new JobFailer.BackingOff(uuid, failures(uuid), left);
        }
    }

    /** How long before the job may be tried again; zero when it may be tried now. */
    synchronized Duration remaining(String uuid) {
        Failures f = byUuid.get(uuid);
        if (f == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.retryAt());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** How many attempts in a row have failed. */
    synchronized int failures(String uuid) {
        Failures f = byUuid.get(uuid);
        return f == null ? 0 : f.count();
    }

    /** An attempt failed; {@code asked} is the wait Buildkite asked for, or null. Returns the wait before the next. */
    public synchronized Duration failed(String uuid, Duration asked) {
        int count = failures(uuid) + 1;
        Duration wait = backoff.after(count, asked);
        byUuid.put(uuid, new Failures(count, clock.instant().plus(wait)));
        return wait;
    }

    /** An attempt got an answer that ends the matter (failed, or taken by another agent). */
    public synchronized void done(String uuid) {
        byUuid.remove(uuid);
    }
}
