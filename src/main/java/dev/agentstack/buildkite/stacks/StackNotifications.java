package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.ApiFailure;
import dev.agentstack.logging.OutageLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes on jobs' timelines (the Stacks API's notifications), queued by the routes and sent in batches: a watch or a
 * creation worker only puts a note in a bounded queue ({@link #notify}, never blocks; a full queue drops the note), and
 * the stack-notifications route's timer calls {@link #flush} every 100 ms, which sends what waits in POSTs of at most
 * {@value #BATCH} per stack, without retry, as the original controller does. A note is dated when it is queued. When
 * Buildkite asks for a wait (429, Retry-After), no batch is sent until it is over; a 429 without one skips one window.
 * Failures are logged once per outage ({@link OutageLog}); what is still queued at shutdown is dropped
 * ({@link #close}). Metric: {@code buildkite_stacks_notifications_total{outcome}}.
 */
public final class StackNotifications implements AutoCloseable {

    /** The most notes queued; as many as the original controller sends in one window. */
    public static final int MAX_QUEUED = 100_000;
    /** The most notes in one POST, as the Stacks API allows. */
    public static final int BATCH = 1000;
    /** The longest detail the Stacks API accepts, in characters. */
    public static final int MAX_DETAIL = 256;
    static final String CROPPED = "… (cropped)";
    /** The timer's period: a 429 without Retry-After skips one such window. */
    static final Duration WINDOW = Duration.ofMillis(100);

    /** One note on a job's timeline. */
    public record Notification(String jobUuid, String detail, Instant timestamp) {
    }

    /** Sends one batch; returns Buildkite's errors for single notes (empty: all were created), or throws. */
    @FunctionalInterface
    public interface Sender {
        List<String> send(String stackKey, List<Notification> batch);
    }

    private record Queued(String stackKey, Notification notification) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.stacks");

    private final BlockingQueue<Queued> queue;
    private final Sender sender;
    private final Clock clock;
    private final MeterRegistry registry;
    private final OutageLog outage;
    /** Written and read only by the timer's thread (the timer never overlaps itself). */
    private Instant notBefore = Instant.MIN;
    private volatile boolean closed;

    public StackNotifications(Sender sender, Clock clock, MeterRegistry registry) {
        this(sender, clock, registry, MAX_QUEUED);
    }

    StackNotifications(Sender sender, Clock clock, MeterRegistry registry, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sender = sender;
        this.clock = clock;
        this.registry = registry;
        this.outage = new OutageLog(LOG, clock, "Stacks API notifications are sent again");
    }

    /**
     * Queues a note for the job's timeline, dated now and cropped to {@value #MAX_DETAIL} characters; never waits.
     *
     * @return false when it was dropped: the queue is full or the controller is stopping
     */
    public boolean notify(String stackKey, String jobUuid, String detail) {
        if (closed || jobUuid == null || detail == null || detail.isBlank()) {
            return false;
        }
        boolean queued = queue.offer(new Queued(stackKey, new Notification(jobUuid, crop(detail), clock.instant())));
        if (!queued) {
            count("dropped_queue_full", 1);
        }
        return queued;
    }

    /** Sends what is queued, in POSTs of at most {@value #BATCH} per stack, unless Buildkite asked us to wait. */
    public void flush() {
        if (closed || queue.isEmpty() || clock.instant().isBefore(notBefore)) {
            return;
        }
        List<Queued> drained = new ArrayList<>();
        queue.drainTo(drained);
        Map<String, List<Notification>> byStack = new LinkedHashMap<>();
        drained.forEach(q -> byStack.computeIfAbsent(q.stackKey(), k -> new ArrayList<>()).add(q.notification()));
        byStack.forEach((stackKey, notes) -> {
            for (int i = 0; i < notes.size(); i += BATCH) {
                List<Notification> batch = notes.subList(i, Math.min(notes.size(), i + BATCH));
                if (closed || clock.instant().isBefore(notBefore)) {
                    count("dropped_rate_limited", batch.size());
                    continue;
                }
                send(stackKey, batch);
            }
        });
    }

    private void send(String stackKey, List<Notification> batch) {
        try {
            List<String> errors = sender.send(stackKey, batch);
            outage.succeeded();
            count("sent", batch.size() - errors.size());
            if (!errors.isEmpty()) {
                count("rejected", errors.size());
                LOG.debug("stack {}: Buildkite refused {} of {} notification(s): {}", stackKey, errors.size(),
                        batch.size(), errors);
            }
        } catch (RuntimeException e) {
            count("failed", batch.size());
            ApiFailure failure = ApiFailure.of(e, clock.instant());
            Duration wait = failure.waitAsked() != null ? failure.waitAsked()
                    : "http_429".equals(failure.reason()) ? WINDOW : null;
            if (wait != null) {
                notBefore = clock.instant().plus(wait);
            }
            outage.failed("stack " + stackKey + ": sending " + batch.size() + " notification(s) failed: "
                    + failure.message() + (wait != null ? "; none sent for " + wait.toMillis() + "ms, as asked" : "")
                    + "; they are dropped");
        }
    }

    /** How many notes wait to be sent. */
    public int queued() {
        return queue.size();
    }

    /** Stops sending: what is queued is dropped, as the original controller drops it at shutdown. */
    @Override
    public void close() {
        closed = true;
        int dropped = queue.size();
        queue.clear();
        if (dropped > 0) {
            count("dropped_shutdown", dropped);
        }
    }

    /** At most {@value #MAX_DETAIL} characters, a cropped detail ending in {@value #CROPPED}. */
    static String crop(String detail) {
        if (detail.length() <= MAX_DETAIL) {
            return detail;
        }
        int keep = MAX_DETAIL - CROPPED.length();
        if (Character.isHighSurrogate(detail.charAt(keep - 1))) {
            keep--; // never half a character
        }
        return detail.substring(0, keep) + CROPPED;
    }

    private void count(String outcome, int n) {
        if (n > 0) {
            registry.counter("buildkite.stacks.notifications", "outcome", outcome).increment(n);
        }
    }
}
