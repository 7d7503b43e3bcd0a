package dev.agentstack.logging;

import dev.agentstack.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the log says while calls to an API keep failing: a WARN line for the first failure, a WARN reminder at most once
 * per {@link #REMINDER_INTERVAL} while it lasts (the failures between are DEBUG lines), and one INFO line when a call
 * succeeds again. A retry loop that fails every second would otherwise bury every other line.
 */
public final class OutageLog {

    public static final Duration REMINDER_INTERVAL = Duration.ofMinutes(1);

    private static final OutageLog KUBERNETES = new OutageLog(
            LoggerFactory.getLogger("dev.agentstack.kubernetes"),
            Clock.systemUTC(),
            "the Kubernetes API answers again");

    private record Outage(Instant since, Instant lastWarned, long failures) {}

    private final Logger log;
    private final Clock clock;
    private final String recovered;
    /** The outage in progress, or null; volatile so {@link #succeeded()} costs one read when all is well. */
    private volatile Outage outage;

    /** @param recovered the INFO line's start when calls succeed again, e.g. "queue q: poll succeeded again" */
    public OutageLog(Logger log, Clock clock, String recovered) {
        this.log = log;
        this.clock = clock;
        this.recovered = recovered;
    }

    /** The process's one view of the Kubernetes API, shared by its watches and listings. */
    public static OutageLog kubernetes() {
        return KUBERNETES;
    }

    /** A call failed; {@code line} says which and why (never a token). */
    public synchronized void failed(String line) {
        Instant now = clock.instant();
        Outage o = outage;
        if (o == null) {
            outage = new Outage(now, now, 1);
            log.warn("{}", line);
            return;
        }
        boolean remind = !now.isBefore(o.lastWarned().plus(REMINDER_INTERVAL));
        outage = new Outage(o.since(), remind ? now : o.lastWarned(), o.failures() + 1);
        if (remind) {
            log.warn("{} (failing for {}, {} failures)", line, since(o, now), o.failures() + 1);
        } else {
            log.debug("{}", line);
        }
    }

    /** A call failed with this exception: the line names the call and the exception's innermost cause. */
    public void failed(String call, Throwable error) {
        Throwable root = error;
        for (int depth = 0; root.getCause() != null && depth < 20; depth++) {
            root = root.getCause();
        }
        String message =
                root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        failed(call + " failed: " + message + "; retrying");
    }

    /** A call succeeded: ends the outage, if there was one. */
    public void succeeded() {
        if (outage == null) {
            return;
        }
        synchronized (this) {
            Outage o = outage;
            if (o != null) {
                outage = null;
                log.info("{} after {} failure(s) over {}", recovered, o.failures(), since(o, clock.instant()));
            }
        }
    }

    public boolean isDown() {
        return outage != null;
    }

    private static String since(Outage o, Instant now) {
        Duration d = Duration.between(o.since(), now);
        return Durations.format(d.minusNanos(d.getNano()));
    }
}
