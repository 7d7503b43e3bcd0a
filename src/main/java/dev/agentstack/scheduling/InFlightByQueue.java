package dev.agentstack.scheduling;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.component.kubernetes.KubernetesConstants;

/**
 * The in-flight accounting of every queue the controller serves, fed by the one shared watch and list of our Jobs: each
 * Job counts against the queue its {@code tag.buildkite.com/queue} label names. With a single queue every Job of ours
 * counts against it, labelled or not, as before queues existed.
 */
public final class InFlightByQueue {

    private final Map<String, InFlightJobs> queues;

    /** @param queues by queue name, in configuration order */
    public InFlightByQueue(Map<String, InFlightJobs> queues) {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("no queues");
        }
        this.queues = new LinkedHashMap<>(queues);
    }

    /** The accounting of one queue, or null. */
    public InFlightJobs of(String queue) {
        return queues.get(queue);
    }

    /** A Job watch event (ADDED, MODIFIED or DELETED): the route binds the action header and the Job body. */
    public void onJobEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Job job) {
        InFlightJobs target = queueOf(job);
        if (target != null) {
            target.onJobEvent(action, job);
        }
    }

    /** Hands each queue its part of the list (possibly none, which tells it none of its Jobs exist). */
    public void reconcile(List<Job> listed, long listStartedAt) {
        Map<InFlightJobs, List<Job>> parts = new LinkedHashMap<>();
        queues.values().forEach(q -> parts.put(q, new ArrayList<>()));
        for (Job job : listed) {
            InFlightJobs target = queueOf(job);
            if (target != null) {
                parts.get(target).add(job);
            }
        }
        parts.forEach((q, jobs) -> q.reconcile(jobs, listStartedAt));
    }

    public void listFailed(Throwable error) {
        queues.values().forEach(q -> q.listFailed(error));
    }

    /** Why the last list of our Jobs failed, or null when it succeeded. */
    public String lastListFailure() {
        return first().lastListFailure();
    }

    /** The clock reading to pass to {@link #reconcile} as the list's start (every queue shares the clock). */
    public long now() {
        return first().now();
    }

    public boolean isReady() {
        return queues.values().stream().allMatch(InFlightJobs::isReady);
    }

    /** Unfinished Jobs plus creations in progress, over all queues. */
    public int inFlight() {
        return queues.values().stream().mapToInt(InFlightJobs::inFlight).sum();
    }

    private InFlightJobs first() {
        return queues.values().iterator().next();
    }

    private InFlightJobs queueOf(Job job) {
        if (queues.size() == 1) {
            return first();
        }
        Map<String, String> labels =
                job.getMetadata() == null ? null : job.getMetadata().getLabels();
        return labels == null ? null : queues.get(labels.get(JobLabels.QUEUE));
    }
}
