package dev.agentstack.scheduling;

import dev.agentstack.buildkite.AgentTags;
import dev.agentstack.buildkite.BuildkiteJob;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the polled jobs this controller runs, and in what order. Metric:
 * {@code buildkite_monitor_jobs_filtered_out_total{reason}}.
 */
public final class JobSelection {

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");

    /** Higher priority first, then the longest waiting. */
    public static final Comparator<BuildkiteJob> SCHEDULING_ORDER = Comparator
            .comparingInt(BuildkiteJob::priority).reversed()
            .thenComparing(BuildkiteJob::scheduledAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()));

    private final List<String> controllerTags;
    private final MeterRegistry registry;

    public JobSelection(List<String> controllerTags, MeterRegistry registry) {
        this.controllerTags = List.copyOf(controllerTags);
        this.registry = registry;
    }

    /** Sorts stably, so jobs with equal priority and time keep the API's oldest-first order. */
    public List<BuildkiteJob> inSchedulingOrder(List<BuildkiteJob> jobs) {
        List<BuildkiteJob> sorted = new ArrayList<>(jobs);
        sorted.sort(SCHEDULING_ORDER);
        return sorted;
    }

    /** Why this controller does not run the job, or null when it does. */
    public String skipReason(BuildkiteJob job) {
        if (job.tag("queue") == null) {
            return "missing_queue_tag";
        }
        if (!AgentTags.jobMatchesController(job.agentQueryRules(), controllerTags)) {
            return "tags_mismatch";
        }
        return null;
    }

    public boolean isOurs(BuildkiteJob job) {
        String reason = skipReason(job);
        if (reason != null) {
            registry.counter("buildkite.monitor.jobs.filtered.out", "reason", reason).increment();
            LOG.debug("skipping job {} ({}): tags {} vs controller tags {}", job.uuid(), reason,
                    job.agentQueryRules(), controllerTags);
        }
        return reason == null;
    }
}
