package dev.agentstack.watch;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
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
 * Metric: {@code buildkite_cancel_checker_jobs_cancelled_total}.
 */
public final class CancelCandidates {

    /** The most jobs asked about in one GraphQL request (as many as one page of scheduled jobs). */
    public static final int BATCH = 500;

    static final int CAPACITY = 50_000;
    static final Duration TTL = Duration.ofDays(7);

    private record Entry(String jobName, String podPhase, long seenAt) {
    }

    private final Map<String, Entry> byUuid = new ConcurrentHashMap<>();
    private final Counter cancelled;
    private final LongSupplier nanos;

    public CancelCandidates(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds */
    public CancelCandidates(MeterRegistry registry, LongSupplier nanos) {
        this.nanos = nanos;
        this.cancelled = Counter.builder("buildkite.cancel.checker.jobs.cancelled")
                .description("Jobs cancelled in Buildkite whose Kubernetes Job was deleted").register(registry);
    }

    public void onJobEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Job job) {
        String uuid = job.getMetadata().getLabels() == null ? null : job.getMetadata().getLabels().get(PodFailureClassifier.JOB_UUID);
        if (uuid == null) {
            return;
        }
        if ("DELETED".equals(action) || dev.agentstack.scheduling.InFlightJobs.isFinished(job)) {
            byUuid.remove(uuid);
        } else {
            byUuid.compute(uuid, (k, e) -> new Entry(job.getMetadata().getName(), e == null ? null : e.podPhase(),
                    nanos.getAsLong()));
            if (byUuid.size() > CAPACITY) {
                trim();
            }
        }
    }

    public void onPodEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Pod pod) {
        String uuid = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(PodFailureClassifier.JOB_UUID);
        if (uuid == null) {
            return;
        }
        String phase = "DELETED".equals(action) || pod.getStatus() == null ? null : pod.getStatus().getPhase();
        byUuid.computeIfPresent(uuid, (k, e) -> new Entry(e.jobName(), phase, nanos.getAsLong()));
    }

    /** The uuids to ask Buildkite about, in batches of at most {@link #BATCH}. */
    public List<List<String>> batches() {
        long now = nanos.getAsLong();
        byUuid.values().removeIf(e -> now - e.seenAt() >= TTL.toNanos());
        List<String> all = new ArrayList<>();
        byUuid.forEach((uuid, e) -> {
            if (e.podPhase() == null || "Pending".equals(e.podPhase())) {
                all.add(uuid);
            }
        });
        all.sort(null);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            batches.add(List.copyOf(all.subList(i, Math.min(all.size(), i + BATCH))));
        }
        return batches;
    }

    /** The Kubernetes Job of a candidate, or null. */
    public String jobName(String uuid) {
        Entry e = byUuid.get(uuid);
        return e == null ? null : e.jobName();
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
        oldestFirst.sort(java.util.Comparator.comparingLong(e -> e.getValue().seenAt()));
        int drop = byUuid.size() - CAPACITY + CAPACITY / 10;
        for (int i = 0; i < drop && i < oldestFirst.size(); i++) {
            byUuid.remove(oldestFirst.get(i).getKey(), oldestFirst.get(i).getValue());
        }
    }
}
