package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.BuildkiteApiException;
import dev.agentstack.buildkite.FailureReport;
import dev.agentstack.buildkite.JobFailer;
import dev.agentstack.buildkite.JobFailureBackoff;
import dev.agentstack.logging.LogFields;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a Buildkite job that can never run through the Stacks API, as the original controller does: one finish with
 * exit status {@value #EXIT_STATUS}, the reason as its detail (the build page shows it as a notice), and signal reason
 * {@value JobFailer#SIGNAL_REASON}, so retry rules that match either apply. No agent is involved and no log is
 * written. A job Buildkite will not finish (422: it is finished already, or an agent has it) is left alone, and so is
 * a job an agent has when the report says so ({@link FailureReport#cancelIfTaken}: an image that cannot be pulled; the
 * Stacks API cannot cancel, and the job fails once the agent times out, as its timeline note says). A failed
 * attempt backs the job off as the agent API's way does ({@link JobFailureBackoff}, shared with it). Metric:
 * {@code buildkite_stacks_finishes_total{outcome}}.
 */
public final class StackJobFinisher {

    /** The exit status of a job that never ran. */
    public static final int EXIT_STATUS = -1;

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.watch");

    private final StacksClient client;
    private final StackKeys stackKeys;
    private final JobFailureBackoff perJob;
    private final MeterRegistry registry;

    public StackJobFinisher(
            StacksClient client, StackKeys stackKeys, JobFailureBackoff perJob, MeterRegistry registry) {
        this.client = client;
        this.stackKeys = stackKeys;
        this.perJob = perJob;
        this.registry = registry;
    }

    /**
     * Finishes the job, unless an earlier attempt for it failed and its backoff is not over: then it throws
     * {@link JobFailer.BackingOff} without calling Buildkite.
     *
     * @return FAILED, or ACQUISITION_REJECTED when Buildkite refused to finish it (finished already, or running)
     */
    public JobFailer.Outcome finish(FailureReport report) {
        perJob.checkNotBackingOff(report.uuid());
        String stackKey = stackKeys.ofTags(report.tags());
        try {
            if (report.cancelIfTaken() && takenByAnAgent(stackKey, report.uuid())) {
                perJob.done(report.uuid());
                count("left_to_agent");
                LogFields.with(
                        null,
                        report.uuid(),
                        () -> LOG.info(
                                "job {} was not finished ({}): an agent has it", report.uuid(), report.reason()));
                return JobFailer.Outcome.ACQUISITION_REJECTED;
            }
            client.finish(stackKey, report.uuid(), EXIT_STATUS, report.message(), JobFailer.SIGNAL_REASON);
        } catch (BuildkiteApiException e) {
            AgentApiException answer = e instanceof AgentApiException a ? a : null;
            if (answer != null && answer.status() == 422) {
                perJob.done(report.uuid());
                count("refused");
                LogFields.with(
                        null,
                        report.uuid(),
                        () -> LOG.info(
                                "job {} was not finished ({}): {}", report.uuid(), report.reason(), e.getMessage()));
                return JobFailer.Outcome.ACQUISITION_REJECTED;
            }
            perJob.failed(report.uuid(), answer == null ? null : answer.waitAsked());
            count(e.reason());
            throw e;
        }
        perJob.done(report.uuid());
        count("finished");
        report.logFailed(LOG);
        return JobFailer.Outcome.FAILED;
    }

    private boolean takenByAnAgent(String stackKey, String uuid) {
        String state = StackJobStates.of(
                        uuid, client.states(stackKey, List.of(uuid)).get(uuid))
                .state();
        return state != null && !"SCHEDULED".equals(state);
    }

    private void count(String outcome) {
        registry.counter("buildkite.stacks.finishes", "outcome", outcome).increment();
    }
}
