package dev.agentstack.watch;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs whose cancellation in Buildkite only we can act on: their Kubernetes Job is unfinished and it has no pod,
 * or its pod is still Pending. A running agent notices a cancellation itself. Fed by the Job and pod watches; holds at
 * most one entry per existing Job. Metric: {@code buildkite_cancel_checker_jobs_cancelled_total}.
 */
public final class CancelCandidates {

    /** The most jobs asked about in one GraphQL request (as many as one page of scheduled jobs). */
    public static final int BATCH = 500;

    private record Entry(String jobName, String podPhase) {
    }

    private final Map<String, Entry> byUuid = new ConcurrentHashMap<>();
    private final Counter cancelled;

    public CancelCandidates(MeterRegistry registry) {
        this.cancelled = Counter.builder("buildkite.cancel.checker.jobs.cancelled")
                .description("Jobs cancelled in Buildkite whose Kubernetes Job was deleted").register(registry);
    }

    public void onJobEvent(String action, Job job) {
        String uuid = job.getMetadata().getLabels() == null ? null : job.getMetadata().getLabels().get(PodFailureClassifier.JOB_UUID);
        if (uuid == null) {
            return;
        }
        if ("DELETED".equals(action) || dev.agentstack.scheduling.InFlightJobs.isFinished(job)) {
            byUuid.remove(uuid);
        } else {
            byUuid.compute(uuid, (k, e) -> new Entry(job.getMetadata().getName(), e == null ? null : e.podPhase()));
        }
    }

    public void onPodEvent(String action, Pod pod) {
        String uuid = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(PodFailureClassifier.JOB_UUID);
        if (uuid == null) {
            return;
        }
        String phase = "DELETED".equals(action) || pod.getStatus() == null ? null : pod.getStatus().getPhase();
        byUuid.computeIfPresent(uuid, (k, e) -> new Entry(e.jobName(), phase));
    }

    /** The uuids to ask Buildkite about, in batches of at most {@link #BATCH}. */
    public List<List<String>> batches() {
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
}
