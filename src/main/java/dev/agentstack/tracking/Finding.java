package dev.agentstack.tracking;

import java.util.List;

/**
 * Why a job can never run, found from its pod or its Kubernetes Job: what the Buildkite job is failed with, and what
 * else to do.
 *
 * @param reason          a short stable label for metrics and logs ({@code image_pull}, {@code init_container},
 *                        {@code pending_timeout}, {@code no_pod}, {@code pod_died})
 * @param uuid            the Buildkite job uuid
 * @param jobName         the Kubernetes Job
 * @param tags            the job's agent tags, from the {@code tag.buildkite.com/*} labels
 * @param podName         the pod the finding is about, or null
 * @param headline        the first line of the message, e.g. "The following images could not be pulled:"
 * @param header          the table's column names (empty: no table)
 * @param rows            the table's rows
 * @param eventsOf        whose Warning events the message quotes: POD, JOB, or NONE
 * @param exitStatus      the exit status the job finishes with
 * @param deleteJob       delete the Kubernetes Job afterwards (its pod can never complete)
 * @param cancelIfTaken   when an agent already acquired the job, cancel it in Buildkite instead
 * @param onlyIfScheduled act only if Buildkite still lists the job as SCHEDULED (nobody took it)
 */
public record Finding(
        String reason,
        String uuid,
        String jobName,
        List<String> tags,
        String podName,
        String headline,
        List<String> header,
        List<List<String>> rows,
        EventsOf eventsOf,
        int exitStatus,
        boolean deleteJob,
        boolean cancelIfTaken,
        boolean onlyIfScheduled) {

    public Finding {
        tags = List.copyOf(tags);
    }

    /** Whose events the message includes. */
    public enum EventsOf {
        POD,
        JOB,
        NONE
    }
}
