package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.FailureReport;
import dev.agentstack.buildkite.JobFailer;
import dev.agentstack.buildkite.JobFailureBackoff;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failing a job through the Stacks API's finish, against the fake over HTTP. */
class StackJobFinisherTest {

    private static final String TOKEN = "bkct_secret-agent-token";
    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken(TOKEN);
    private final StacksClient client = StacksClient.of(
            buildkite.agentEndpoint(), Duration.ofSeconds(10), "test", new ResponseSizeLimit(1024 * 1024), () -> TOKEN);
    private final MutableClock clock = new MutableClock(Instant.now());
    private final JobFailureBackoff backoff = new JobFailureBackoff(clock);
    private final StackJobFinisher finisher = new StackJobFinisher(
            client,
            new StackKeys(ControllerConfig.builder()
                    .set(Options.ORG, "acme")
                    .set(Options.BUILDKITE_TOKEN, "t")
                    .set(Options.ID, "linux-stack")
                    .build()),
            backoff,
            new SimpleMeterRegistry());

    StackJobFinisherTest() {
        client.register("linux-stack", "linux", Map.of());
    }

    @AfterEach
    void close() {
        buildkite.close();
    }

    private static FailureReport report(String uuid, boolean cancelIfTaken) {
        return new FailureReport(
                uuid,
                "buildkite-" + uuid,
                List.of("queue=kubernetes"),
                "invalid_job",
                "agent-stack-camel failed to build a podSpec for the job:\nno " + "x".repeat(5000),
                1,
                cancelIfTaken);
    }

    @Test
    void aJobIsFinishedOnceWithExitMinusOneTheCroppedReasonAndStackError() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");

        assertThat(finisher.finish(report(uuid, false))).isEqualTo(JobFailer.Outcome.FAILED);
        assertThat(buildkite.stacks().finishes()).singleElement().satisfies(f -> {
            assertThat(f.stackKey()).isEqualTo("linux-stack");
            assertThat(f.exitStatus()).isEqualTo(-1);
            assertThat(f.signalReason()).isEqualTo("stack_error");
            assertThat(f.detail())
                    .startsWith("agent-stack-camel failed to build a podSpec for the job:\nno xxx")
                    .endsWith("(Message was cropped because it exceeded the max size)");
        });
        assertThat(finisher.finish(report(uuid, false)))
                .as("finished already: 422")
                .isEqualTo(JobFailer.Outcome.ACQUISITION_REJECTED);
        assertThat(buildkite.stacks().finishes()).hasSize(1);
    }

    @Test
    void aFailedFinishBacksTheJobOffUntilItsWaitIsOver() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.stacks().enqueueFault(Fault.status(503));

        assertThatThrownBy(() -> finisher.finish(report(uuid, false))).isInstanceOf(AgentApiException.class);
        assertThat(backoff.backingOff(uuid)).isTrue();
        assertThatThrownBy(() -> finisher.finish(report(uuid, false))).isInstanceOf(JobFailer.BackingOff.class);
        assertThat(buildkite.stacks().finishes()).isEmpty();

        clock.advance(Duration.ofSeconds(11));
        assertThat(finisher.finish(report(uuid, false))).isEqualTo(JobFailer.Outcome.FAILED);
    }

    @Test
    void aJobAnAgentHasIsLeftToItWhenTheReportSaysSo() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.acquireAsAnotherAgent(uuid);

        assertThat(finisher.finish(report(uuid, true))).isEqualTo(JobFailer.Outcome.ACQUISITION_REJECTED);
        assertThat(buildkite.stacks().finishes()).isEmpty();
        String scheduled = buildkite.scheduleCommand("make", "queue=kubernetes");
        assertThat(finisher.finish(report(scheduled, true))).isEqualTo(JobFailer.Outcome.FAILED);
    }
}
