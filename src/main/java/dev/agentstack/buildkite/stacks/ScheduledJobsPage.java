package dev.agentstack.buildkite.stacks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One page of {@code GET /stacks/{key}/scheduled-jobs}: its jobs (oldest scheduled first), where the next page
 * starts, whether the cluster queue is paused (the {@code paused} or {@code dispatch_paused} flag), and the
 * Retry-After the answer carried, if any (a poll reads no further page then).
 *
 * @param endCursor  the {@code after} of the next page; null when the answer had none
 * @param retryAfter null when the answer asked for no wait
 */
public record ScheduledJobsPage(
        List<ScheduledJob> jobs, boolean hasNextPage, String endCursor, boolean paused, Duration retryAfter) {

    public ScheduledJobsPage {
        jobs = List.copyOf(jobs);
    }

    /**
     * A scheduled job as the list describes it: enough to choose and rank jobs; its command and env come from
     * {@code GET /stacks/{key}/jobs/{uuid}}.
     *
     * @param scheduledAt null when absent or unreadable
     */
    public record ScheduledJob(
            String id,
            int priority,
            List<String> agentQueryRules,
            Instant scheduledAt,
            String pipelineSlug,
            long buildNumber,
            String buildBranch,
            String stepKey) {

        public ScheduledJob {
            agentQueryRules = List.copyOf(agentQueryRules);
        }
    }
}
