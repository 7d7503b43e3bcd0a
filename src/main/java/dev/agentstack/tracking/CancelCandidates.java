package dev.agentstack.tracking;

import dev.agentstack.buildkite.ApiFailure;
import dev.agentstack.buildkite.Backoff;
import dev.agentstack.config.Durations;
import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.component.kubernetes.KubernetesConstants;

/**
 * The jobs whose cancellation in Buildkite only we can act on: their Kubernetes Job is unfinished and it has no pod,
 * or its pod is still Pending. A running agent notices a cancellation itself. Fed by the Job and pod watches; holds at
 * most one entry per existing Job. A Job whose deletion the watch never delivered would stay forever, so entries are
 * also bounded ({@value #CAPACITY}, the least recently seen go first) and expire {@link #TTL} after their last event,
 * far past the time Kubernetes lets a Job run (job-active-deadline-seconds, 6h by default) before it fails it.
 * <p>
 * Each check asks about at most {@value #CHECKS_PER_SECOND} jobs per second of job-cancel-checker-poll-interval, in
 * turn (the least recently asked first; a new job after those asked before it came). Every job asked about costs a
 * point of the organization's GraphQL budget (50,000 points per 5 minutes by default, shared with the polls and every
 * other API client). Asking about all of them every interval would spend the whole budget with about 800 pods waiting
 * for nodes, and the polls would then be refused. This way the checks spend at most 6,000 points per 5 minutes; with
 * more jobs waiting, each is asked about less often.
 * Metric: {@code buildkite_cancel_checker_jobs_cancelled_total}.
 */
public final class CancelCandidates {

    /** The most jobs asked about in one GraphQL request (as many as one page of scheduled jobs). */
    public static final int BATCH = 500;
    /** The most jobs asked about in one Stacks API get-states request. */
    public static final int STACKS_BATCH = 1000;
    /** Jobs asked about per second of the check interval, at most: 6,000 GraphQL points per 5 minutes. */
    public static final int CHECKS_PER_SECOND = 20;

    static final int CAPACITY = 50_000;
    /** A failed check waits only when Buildkite asks, and at most as long as polls would. */
    private static final Backoff AS_ASKED = new Backoff(Duration.ZERO, Duration.ZERO, Backoff.LONGEST_ASKED_WAIT);

    static final Duration TTL = Duration.ofDays(7);

    /**
     * @param askedAt the check that last asked about it or, for a job not asked about yet, the last check before it
     *                came: jobs take turns, so a steady stream of new jobs cannot keep the older ones from being asked;
     *                {@code Long.MIN_VALUE} for a job whose request failed or was held back: first next check
     */
    private record Entry(String jobName, String queue, String podPhase, long seenAt, long askedAt) {}

    private final Map<String, Entry> byUuid = new ConcurrentHashMap<>();
    private final Counter cancelled;
    private final MeterRegistry registry;
    private final LongSupplier nanos;
    private final int perCheck;
    private final int batch;
    private volatile long checks; // written only by batches(), under the lock
    /** Guarded by this: no check before this time (nanos) after Buildkite asked us to wait; MIN_VALUE when none. */
    private long waitUntil = Long.MIN_VALUE;

    /** @param checkInterval job-cancel-checker-poll-interval, which sets how many jobs one check may ask about */
    public CancelCandidates(MeterRegistry registry, Duration checkInterval) {
        this(registry, checkInterval, System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds */
    public CancelCandidates(MeterRegistry registry, Duration checkInterval, LongSupplier nanos) {
        this(
                registry,
                BATCH,
                (int) Math.max(1, Math.min(CAPACITY, checkInterval.toMillis() * CHECKS_PER_SECOND / 1000)),
                nanos);
    }

    /**
     * For the Stacks API's get-states, which spends no GraphQL budget: every waiting job each check, in requests of
     * {@value #STACKS_BATCH} (its limit), so a check of the most candidates makes 50 of its 20 a second.
     */
    public static CancelCandidates forStacksApi(MeterRegistry registry) {
        return new CancelCandidates(registry, STACKS_BATCH, CAPACITY, System::nanoTime);
    }

    private CancelCandidates(MeterRegistry registry, int batch, int perCheck, LongSupplier nanos) {
        this.nanos = nanos;
        this.registry = registry;
        this.batch = batch;
        this.perCheck = perCheck;
        this.cancelled = Counter.builder("buildkite.cancel.checker.jobs.cancelled")
                .description("Jobs cancelled in Buildkite whose Kubernetes Job was deleted")
                .register(registry);
    }

    public void onJobEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Job job) {
        String uuid = JobLabels.jobUuidOf(job);
        if (uuid == null) {
            return;
        }
        if ("DELETED".equals(action) || dev.agentstack.scheduling.InFlightJobs.isFinished(job)) {
            byUuid.remove(uuid);
        } else {
            byUuid.compute(
                    uuid,
                    (k, e) -> new Entry(
                            job.getMetadata().getName(),
                            job.getMetadata().getLabels().get(JobLabels.QUEUE),
                            e == null ? null : e.podPhase(),
                            nanos.getAsLong(),
                            e == null ? checks : e.askedAt()));
            if (byUuid.size() > CAPACITY) {
                trim();
            }
        }
    }

    public void onPodEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Pod pod) {
        String uuid = JobLabels.jobUuidOf(pod);
        if (uuid == null) {
            return;
        }
        String phase = "DELETED".equals(action) || pod.getStatus() == null
                ? null
                : pod.getStatus().getPhase();
        byUuid.computeIfPresent(
                uuid, (k, e) -> new Entry(e.jobName(), e.queue(), phase, nanos.getAsLong(), e.askedAt()));
    }

    /**
     * The uuids this check asks Buildkite about, in batches of at most {@link #BATCH} ({@link #STACKS_BATCH} with the
     * Stacks API): the jobs without a running pod, at most {@link #perCheck()} of them, in turn (see
     * {@link Entry#askedAt}). Called once per check (the checker's timer never overlaps itself); they count as asked
     * from now on. None while Buildkite's asked wait after a failed check lasts ({@link #checkFailed}).
     */
    public synchronized List<List<String>> batches() {
        long now = nanos.getAsLong();
        if (waitingAsAsked(now)) {
            return List.of();
        }
        waitUntil = Long.MIN_VALUE;
        byUuid.values().removeIf(e -> now - e.seenAt() >= TTL.toNanos());
        List<Map.Entry<String, Entry>> waiting = new ArrayList<>();
        byUuid.entrySet().forEach(e -> {
            if (e.getValue().podPhase() == null || "Pending".equals(e.getValue().podPhase())) {
                waiting.add(Map.entry(e.getKey(), e.getValue()));
            }
        });
        waiting.sort(Map.Entry.<String, Entry>comparingByValue(Comparator.comparingLong(Entry::askedAt))
                .thenComparing(Map.Entry.comparingByKey()));
        long check = ++checks;
        List<String> asked = new ArrayList<>();
        for (Map.Entry<String, Entry> e : waiting.subList(0, Math.min(perCheck, waiting.size()))) {
            asked.add(e.getKey());
            byUuid.computeIfPresent(
                    e.getKey(), (k, v) -> new Entry(v.jobName(), v.queue(), v.podPhase(), v.seenAt(), check));
        }
        asked.sort(null);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < asked.size(); i += batch) {
            batches.add(List.copyOf(asked.subList(i, Math.min(asked.size(), i + batch))));
        }
        return batches;
    }

    /**
     * A check's request failed, so its jobs were not asked about after all: they go first in the next check. When
     * Buildkite asked for a wait (a 429's Retry-After, or RateLimit-Reset once the organization's points are spent: it
     * documents that nothing should be sent before then), no request is made until it is over, at most
     * {@link Backoff#LONGEST_ASKED_WAIT}; otherwise the next interval tries again.
     *
     * @return when the next check comes, for the log line
     */
    public synchronized String checkFailed(Exception error, List<String> batch) {
        notAsked(batch);
        dev.agentstack.buildkite.ResponseSizeLimit.countIfOversize(error, registry, "graphql");
        Duration asked = ApiFailure.of(error, Instant.now()).waitAsked();
        if (asked == null) {
            return "trying again next interval";
        }
        Duration wait = AS_ASKED.after(1, asked);
        waitUntil = nanos.getAsLong() + wait.toNanos();
        return "next check in " + Durations.format(wait) + ", as Buildkite asked";
    }

    /**
     * Whether a request of this check must not be sent: an earlier one was answered with a wait ({@link #checkFailed}),
     * which covers every request. Its jobs go first in the next check.
     */
    public synchronized boolean holdBack(List<String> batch) {
        if (!waitingAsAsked(nanos.getAsLong())) {
            return false;
        }
        notAsked(batch);
        return true;
    }

    private void notAsked(List<String> batch) {
        for (String uuid : batch) {
            byUuid.computeIfPresent(
                    uuid, (k, v) -> new Entry(v.jobName(), v.queue(), v.podPhase(), v.seenAt(), Long.MIN_VALUE));
        }
    }

    private boolean waitingAsAsked(long now) {
        return waitUntil != Long.MIN_VALUE && now - waitUntil < 0;
    }

    /** The most jobs one check asks about. */
    public int perCheck() {
        return perCheck;
    }

    /** The Kubernetes Job of a candidate, or null. */
    public String jobName(String uuid) {
        Entry e = byUuid.get(uuid);
        return e == null ? null : e.jobName();
    }

    /** The queue (its queue tag's value) of a candidate's Job, or null: which stack reserved it. */
    public String queueOf(String uuid) {
        Entry e = byUuid.get(uuid);
        return e == null ? null : e.queue();
    }

    /** The job was cancelled in Buildkite and its Kubernetes Job deleted. */
    public void cancelled(String uuid) {
        byUuid.remove(uuid);
        cancelled.increment();
    }

    public int size() {
        return byUuid.size();
    }

    /** Drops the least recently seen tenth, so a trim happens once per CAPACITY / 10 new entries, not per event. */
    private synchronized void trim() {
        if (byUuid.size() <= CAPACITY) {
            return;
        }
        List<Map.Entry<String, Entry>> oldestFirst = new ArrayList<>(byUuid.entrySet());
        oldestFirst.sort(Comparator.comparingLong(e -> e.getValue().seenAt()));
        int drop = byUuid.size() - CAPACITY + CAPACITY / 10;
        for (int i = 0; i < drop && i < oldestFirst.size(); i++) {
            byUuid.remove(oldestFirst.get(i).getKey(), oldestFirst.get(i).getValue());
        }
    }
}
