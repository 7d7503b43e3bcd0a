package dev.agentstack.tracking;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The completion watcher's decisions, pure. A container that a pod-spec patch adds (a plain container, not a native
 * sidecar) keeps running after the agent exits, and would hold the pod, its node and its in-flight slot until the
 * Job's activeDeadlineSeconds (hours); native sidecars (init containers with restartPolicy Always) Kubernetes ends
 * itself.
 */
public final class AgentCompletion {

    static final String AGENT = "agent";
    /** Phases in which Kubernetes has ended, or no longer reports, the pod: nothing left to end. */
    private static final Set<String> OVER = Set.of("Succeeded", "Failed", "Unknown");

    private AgentCompletion() {}

    /** True when the pod's agent container has terminated while another of its regular containers has not. */
    public static boolean agentFinishedWhileOthersRun(Pod pod) {
        if (pod.getStatus() == null || OVER.contains(pod.getStatus().getPhase())) {
            return false;
        }
        List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses() == null
                ? List.of()
                : pod.getStatus().getContainerStatuses();
        boolean agentDone = statuses.stream().anyMatch(s -> AGENT.equals(s.getName()) && terminated(s));
        return agentDone && statuses.stream().anyMatch(s -> !AGENT.equals(s.getName()) && !terminated(s));
    }

    /**
     * The activeDeadlineSeconds that ends the Job {@code grace} after {@code now} (it counts from the Job's
     * startTime), or empty when the Job already has a deadline at least as near: so a later event never pushes it
     * back, and setting it is idempotent.
     */
    public static OptionalLong deadlineSeconds(Job job, Instant now, Duration grace) {
        Instant start = job.getStatus() == null
                ? null
                : PodFailureClassifier.time(job.getStatus().getStartTime());
        if (start == null) {
            return OptionalLong.empty();
        }
        long elapsed = Math.max(0, Duration.between(start, now).toSeconds());
        long deadline = Math.max(1, elapsed + Math.max(0, grace.toSeconds()));
        Long current = job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds();
        return current != null && current <= deadline ? OptionalLong.empty() : OptionalLong.of(deadline);
    }

    private static boolean terminated(ContainerStatus s) {
        return s.getState() != null && s.getState().getTerminated() != null;
    }
}
