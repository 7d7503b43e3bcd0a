package dev.agentstack.scheduling;

import dev.agentstack.buildkite.AgentTags;
import dev.agentstack.buildkite.BuildkiteJob;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the polled jobs this controller runs, and in what order. Metric:
 * {@code buildkite_monitor_jobs_filtered_out_total{reason}}.
 */
public final class JobSelection {

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");

    private final List<String> controllerTags;
    private final MeterRegistry registry;
    private final io.micrometer.core.instrument.Tags meterTags;

    public JobSelection(List<String> controllerTags, MeterRegistry registry) {
        this(controllerTags, registry, io.micrometer.core.instrument.Tags.empty());
    }

    /** @param meterTags added to every meter (the queue) */
    public JobSelection(
            List<String> controllerTags, MeterRegistry registry, io.micrometer.core.instrument.Tags meterTags) {
        this.meterTags = meterTags;
        this.controllerTags = List.copyOf(controllerTags);
        this.registry = registry;
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
            io.micrometer.core.instrument.Counter.builder("buildkite.monitor.jobs.filtered.out")
                    .tags(meterTags)
                    .tag("reason", reason)
                    .register(registry)
                    .increment();
            LOG.debug(
                    "skipping job {} ({}): tags {} vs controller tags {}",
                    job.uuid(),
                    reason,
                    job.agentQueryRules(),
                    controllerTags);
        }
        return reason == null;
    }
}
