package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.ApiFailure;
import dev.agentstack.logging.OutageLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes on jobs' timelines (the Stacks API's notifications), queued by the routes and sent in batches: a watch or a
 * creation worker only puts a note in a bounded queue ({@link #notify}, never blocks; a full queue drops the note), and
 * the stack-notifications route's timer calls {@link #flush} every 100 ms, which sends what waits in POSTs of at most
 * {@value #BATCH} per stack, without retry, as the original controller does. A note is dated when it is queued; the
 * client crops a long detail ({@link Details#notification}). While the notifications endpoint is rate limited
 * ({@link StacksClient#readyAt}: a 429, its Retry-After, a spent window) nothing is sent; the notes wait for a later
 * window. Failures are logged once per outage ({@link OutageLog}); what is still queued at shutdown is dropped
 * ({@link #close}). Metric: {@code buildkite_stacks_notifications_total{outcome}}.
 */
public final class StackNotifications implements AutoCloseable {

    /** The most notes queued; as many as the original controller sends in one window. */
    public static final int MAX_QUEUED = 100_000;
    /** The most notes in one POST, as the Stacks API allows. */
    public static final int BATCH = StacksClient.MAX_BATCH;

    /** Sends one batch; returns Buildkite's errors for single notes (empty: all were created), or throws. */
    @FunctionalInterface
    interface Sender {
        List<NotificationError> send(String stackKey, List<Notification> batch);
    }

    private record Queued(String stackKey, Notification notification) {}

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.stacks");

    private final BlockingQueue<Queued> waiting;
    private final Function<String, String> stackKeyOfQueue;
    private final Sender sender;
    private final BooleanSupplier ready;
    private final Clock clock;
    private final MeterRegistry registry;
    private final OutageLog outage;
    private volatile boolean closed;

    /** @param stackKeyOfQueue the key of the stack that serves a queue ({@link StackKeys#ofQueue}) */
    public StackNotifications(
            StacksClient client, Function<String, String> stackKeyOfQueue, Clock clock, MeterRegistry registry) {
        this(client::notify, () -> client.isReady(StacksEndpoint.NOTIFY), stackKeyOfQueue, clock, registry, MAX_QUEUED);
    }

    /** @param ready whether the notifications endpoint may be called now (not rate limited) */
    StackNotifications(
            Sender sender,
            BooleanSupplier ready,
            Function<String, String> stackKeyOfQueue,
            Clock clock,
            MeterRegistry registry,
            int capacity) {
        this.waiting = new ArrayBlockingQueue<>(capacity);
        this.stackKeyOfQueue = stackKeyOfQueue;
        this.sender = sender;
        this.ready = ready;
        this.clock = clock;
        this.registry = registry;
        this.outage = new OutageLog(LOG, clock, "Stacks API notifications are sent again");
    }

    /** The job's Kubernetes Job was created: its timeline says so while the pod starts. */
    public void jobCreated(String queue, String jobUuid, String jobName) {
        notify(queue, jobUuid, "Kubernetes Job " + jobName + " created, waiting for its agent to start");
    }

    /**
     * Queues a note for the timeline of a job of this queue (the value of its queue tag), dated now; never waits.
     *
     * @return false when it was dropped: the queue is full or the controller is stopping
     */
    public boolean notify(String queue, String jobUuid, String detail) {
        if (closed || jobUuid == null || detail == null || detail.isBlank()) {
            return false;
        }
        boolean queued = waiting.offer(
                new Queued(stackKeyOfQueue.apply(queue), new Notification(jobUuid, detail, clock.instant())));
        if (!queued) {
            count("dropped_queue_full", 1);
        }
        return queued;
    }

    /** Sends what is queued, in POSTs of at most {@value #BATCH} per stack, unless Buildkite asked us to wait. */
    public void flush() {
        if (closed || waiting.isEmpty() || !ready.getAsBoolean()) {
            return;
        }
        List<Queued> drained = new ArrayList<>();
        waiting.drainTo(drained);
        Map<String, List<Notification>> byStack = new LinkedHashMap<>();
        drained.forEach(q ->
                byStack.computeIfAbsent(q.stackKey(), k -> new ArrayList<>()).add(q.notification()));
        byStack.forEach((stackKey, notes) -> {
            for (int i = 0; i < notes.size(); i += BATCH) {
                List<Notification> batch = notes.subList(i, Math.min(notes.size(), i + BATCH));
                if (closed) {
                    count("dropped_shutdown", batch.size());
                } else if (!ready.getAsBoolean()) {
                    requeue(stackKey, batch); // rate limited meanwhile: a later window sends them
                } else {
                    send(stackKey, batch);
                }
            }
        });
    }

    private void send(String stackKey, List<Notification> batch) {
        try {
            List<NotificationError> errors = sender.send(stackKey, batch);
            outage.succeeded();
            int refused = errors.stream().mapToInt(e -> e.indexes().size()).sum();
            count("sent", batch.size() - refused);
            if (refused > 0) {
                count("refused", refused);
                LOG.debug(
                        "stack {}: Buildkite refused {} of {} notification(s): {}",
                        stackKey,
                        refused,
                        batch.size(),
                        errors);
            }
        } catch (RuntimeException e) {
            count("failed", batch.size());
            outage.failed("stack " + stackKey + ": sending " + batch.size() + " notification(s) failed: "
                    + ApiFailure.of(e, clock.instant()).message() + "; they are dropped");
        }
    }

    private void requeue(String stackKey, List<Notification> batch) {
        int dropped = 0;
        for (Notification n : batch) {
            if (!waiting.offer(new Queued(stackKey, n))) {
                dropped++;
            }
        }
        count("dropped_queue_full", dropped);
    }

    /** How many notes wait to be sent. */
    public int queued() {
        return waiting.size();
    }

    /** Stops sending: what is queued is dropped, as the original controller drops it at shutdown. */
    @Override
    public void close() {
        closed = true;
        int dropped = waiting.size();
        waiting.clear();
        if (dropped > 0) {
            count("dropped_shutdown", dropped);
        }
    }

    private void count(String outcome, int n) {
        if (n > 0) {
            registry.counter("buildkite.stacks.notifications", "outcome", outcome)
                    .increment(n);
        }
    }
}
