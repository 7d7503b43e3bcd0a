package dev.agentstack.buildkite;

import dev.agentstack.logging.LogFields;
import java.util.List;
import org.slf4j.Logger;

/**
 * A Buildkite job to fail through the agent API, and with what.
 *
 * @param uuid          the job
 * @param agentName     the name of the ephemeral agent that fails it (the Kubernetes Job's name)
 * @param tags          the agent tags to register with (the job's own, so it may acquire the job)
 * @param reason        a short stable label for metrics ({@code invalid_job}, {@code image_pull}, ...)
 * @param message       the log the job shows: why it could not run
 * @param exitStatus    the non-zero exit status it finishes with
 * @param cancelIfTaken when another agent already has the job, cancel it through GraphQL instead of leaving it
 */
public record FailureReport(
        String uuid,
        String agentName,
        List<String> tags,
        String reason,
        String message,
        int exitStatus,
        boolean cancelIfTaken) {

    public FailureReport {
        tags = List.copyOf(tags);
        exitStatus = exitStatus == 0 ? 1 : exitStatus;
    }

    /** The one WARN line a failed job leaves, whichever API failed it; carries the job uuid as a field. */
    public void logFailed(Logger log) {
        LogFields.with(
                null,
                uuid,
                () -> log.warn(
                        "failed job {} on Buildkite ({}): {}",
                        uuid,
                        reason,
                        message.lines().findFirst().orElse("")));
    }

    @Override
    public String toString() {
        return "FailureReport[uuid=" + uuid + ", reason=" + reason + "]";
    }
}
