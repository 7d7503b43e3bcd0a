package dev.agentstack.tracking;

import dev.agentstack.kubernetes.KubernetesJobs;
import dev.agentstack.memory.RecentKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod watch's completion watcher (option {@code enable-completion-watcher}): when a pod's agent has finished but
 * a plain container still runs, it sets the Job's activeDeadlineSeconds so that Kubernetes ends the pod within
 * {@code default-termination-grace-period-seconds}. Once per Job: the deadline is only ever brought nearer, and Jobs
 * done are remembered. Metric: {@code buildkite_completion_watcher_deadlines_set_total}.
 */
public final class CompletionWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CompletionWatcher.class);
    static final int MEMORY = 10_000;

    private final KubernetesJobs jobs;
    private final Duration grace;
    private final Clock clock;
    private final Counter deadlinesSet;
    private final RecentKeys<String> done = new RecentKeys<>(MEMORY, Findings.MEMORY_TTL);

    public CompletionWatcher(KubernetesJobs jobs, Duration grace, Clock clock, MeterRegistry registry) {
        this.jobs = jobs;
        this.grace = grace;
        this.clock = clock;
        this.deadlinesSet = registry.counter("buildkite.completion.watcher.deadlines.set");
    }

    /** Called for every pod event; does nothing unless the pod's agent finished while another container runs. */
    public void onPodEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Pod pod) {
        String jobName = PodFailureClassifier.jobNameOf(pod);
        if ("DELETED".equals(action)
                || jobName == null
                || done.contains(jobName)
                || !AgentCompletion.agentFinishedWhileOthersRun(pod)) {
            return;
        }
        try {
            Job live = jobs.live(jobName);
            if (live == null) {
                done.add(jobName);
                return;
            }
            OptionalLong deadline = AgentCompletion.deadlineSeconds(live, clock.instant(), grace);
            if (deadline.isPresent() && jobs.setActiveDeadlineSeconds(jobName, deadline.getAsLong())) {
                deadlinesSet.increment();
                LOG.info(
                        "agent finished while other containers run: Job {} ends within {}s (activeDeadlineSeconds"
                                + " {})",
                        jobName,
                        grace.toSeconds(),
                        deadline.getAsLong());
            }
            done.add(jobName);
        } catch (KubernetesClientException e) {
            // A later event of the pod (or the watch's resync) tries again; the finding checks must still run.
            LOG.warn("could not set the deadline of Job {}: {}", jobName, e.getMessage());
        }
    }
}
