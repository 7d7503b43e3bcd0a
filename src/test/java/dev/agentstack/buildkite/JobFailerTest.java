package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.FakeJob;
import dev.agentstack.sandbox.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failing a job through the agent API, against the fake's implementation of the same endpoints. */
class JobFailerTest {

    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken("agent-token");
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final JobFailer failer = failer(Duration.ofSeconds(5));

    private JobFailer failer(Duration httpTimeout) {
        return failer(httpTimeout, Duration.ofMillis(50));
    }

    private JobFailer failer(Duration httpTimeout, Duration retryInterval) {
        return new JobFailer(
                new AgentApi(
                        buildkite.agentEndpoint(),
                        httpTimeout,
                        "agent-stack-camel/test",
                        new ResponseSizeLimit(1 << 20)),
                () -> "agent-token",
                Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC),
                metrics,
                retryInterval);
    }

    @AfterEach
    void close() {
        buildkite.close();
    }

    private FailureReport report(String uuid) {
        return new FailureReport(
                uuid,
                "buildkite-" + uuid,
                List.of("queue=kubernetes"),
                "invalid_job",
                "podSpec.containers[0].image: expected a string, got a number",
                1,
                false);
    }

    @Test
    void failsTheJobWithTheMessageInItsLog() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED);
        FakeJob.Snapshot job = buildkite.snapshot(uuid);
        assertThat(job.state()).isEqualTo("FINISHED");
        assertThat(job.exitStatus()).isEqualTo("1");
        assertThat(job.signalReason()).isEqualTo("stack_error");
        assertThat(job.log())
                .isEqualTo("~~~ :kubernetes: agent-stack-camel could not run this job\n"
                        + "podSpec.containers[0].image: expected a string, got a number\n");
        assertThat(buildkite.agentCalls("buildkite-" + uuid))
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "connect", "acquire", "start", "chunks", "finish", "disconnect");
        assertThat(buildkite.agentCalls().get(4).headers().get("content-encoding"))
                .containsExactly("gzip");
    }

    @Test
    void aJobAnotherAgentHasIsLeftAloneAndTheAgentStillDisconnects() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.acquireAsAnotherAgent(uuid);
        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.ACQUISITION_REJECTED);
        assertThat(buildkite.state(uuid)).isEqualTo("ACCEPTED");
        assertThat(buildkite.agentCalls())
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "connect", "acquire", "disconnect");
    }

    @Test
    void aFailedCallThrowsAClassifiedErrorAndTheAgentStillDisconnects() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.delay(Duration.ZERO)); // register answers normally
        buildkite.enqueueAgentFault(Fault.status(503)); // connect
        assertThatThrownBy(() -> failer.fail(report(uuid)))
                .isInstanceOf(AgentApi.AgentApiException.class)
                .hasMessage("agent API connect answered 503: fault injected: HTTP 503");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "connect", "outcome", "http_503")
                        .count())
                .isEqualTo(1);
        assertThat(buildkite.agentCalls())
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "disconnect");
        assertThat(buildkite.state(uuid)).isEqualTo("SCHEDULED");
    }

    @Test
    void aServerErrorAfterTheJobIsAcquiredIsRetriedWithTheSameAgent() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(3); // register, connect, acquire
        buildkite.enqueueAgentFault(Fault.status(502)); // start
        buildkite.enqueueAgentFault(Fault.status(503)); // start again

        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED);

        assertThat(buildkite.snapshot(uuid).state()).isEqualTo("FINISHED");
        assertThat(buildkite.snapshot(uuid).signalReason()).isEqualTo("stack_error");
        assertThat(buildkite.agentCalls())
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "connect", "acquire", "start", "chunks", "finish", "disconnect");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "start", "outcome", "http_502")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "start", "outcome", "ok")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void anUploadBuildkiteStoredBeforeItsAnswerWasLostIsRetriedWithoutLoggingTwice() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(4); // register, connect, acquire, start
        buildkite.enqueueAgentFault(Fault.delay(Duration.ofMillis(1500))); // chunks: stored, but after our timeout

        assertThat(failer(Duration.ofMillis(500)).fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED);

        assertThat(buildkite.snapshot(uuid).state()).isEqualTo("FINISHED");
        assertThat(buildkite.snapshot(uuid).log())
                .isEqualTo("~~~ :kubernetes: agent-stack-camel could not run this job\n"
                        + "podSpec.containers[0].image: expected a string, got a number\n");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "chunks", "outcome", "connection")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aStartOrFinishCarriedOutWhoseAnswerWasLostIsNotTakenForAFailureWhenItsRetryIsRefused() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(3); // register, connect, acquire
        // start: carried out, but after our timeout; the retry comes after that
        buildkite.enqueueAgentFault(Fault.delay(Duration.ofMillis(600)));
        buildkite.enqueueAgentFault(Fault.status(422)); // start again: the job is already started
        passThrough(1); // chunks
        buildkite.enqueueAgentFault(Fault.delay(Duration.ofMillis(600))); // finish: the same
        buildkite.enqueueAgentFault(Fault.status(422)); // finish again: the job is already finished

        assertThat(failer(Duration.ofMillis(300), Duration.ofSeconds(1)).fail(report(uuid)))
                .isEqualTo(JobFailer.Outcome.FAILED);

        FakeJob.Snapshot job = buildkite.snapshot(uuid);
        assertThat(job.state()).isEqualTo("FINISHED");
        assertThat(job.signalReason()).isEqualTo("stack_error");
        assertThat(job.log()).endsWith("podSpec.containers[0].image: expected a string, got a number\n");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "start", "outcome", "http_422")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "finish", "outcome", "http_422")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void a422AfterARateLimitedTryIsStillFinal() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(3); // register, connect, acquire
        buildkite.enqueueAgentFault(Fault.rateLimited(0)); // start: refused, so not carried out
        buildkite.enqueueAgentFault(Fault.status(422)); // start again: e.g. the job was cancelled meanwhile

        assertThatThrownBy(() -> failer.fail(report(uuid))).hasMessageContaining("agent API start answered 422");
        assertThat(buildkite.state(uuid)).isEqualTo("ACCEPTED");
        assertThat(buildkite.agentCalls())
                .extracting(FakeBuildkite.AgentCall::call) // faulted calls are not recorded
                .containsExactly("register", "connect", "acquire", "disconnect");
    }

    @Test
    void aRateLimitedCallAfterAcquireWaitsAsLongAsBuildkiteAsksBeforeItsNextTry() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(3); // register, connect, acquire
        buildkite.enqueueAgentFault(Fault.rateLimited(2)); // start: Retry-After 2
        passThrough(1); // start again
        passThrough(1); // chunks
        buildkite.enqueueAgentFault(Fault.rateLimitSpent(1)); // finish: no Retry-After, RateLimit-Reset 1

        long started = System.nanoTime();
        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED); // retry interval 50 ms
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(3)); // 2 s before start, 1 s before finish
        assertThat(buildkite.snapshot(uuid).state()).isEqualTo("FINISHED");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "start", "outcome", "http_429")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "finish", "outcome", "http_429")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aRateLimitedCallBeforeAcquireIsTriedAgainOnceTheWaitIsOver() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.rateLimited(1)); // register: refused
        passThrough(2); // register again, connect
        buildkite.enqueueAgentFault(Fault.rateLimitSpent(1)); // acquire: refused

        long started = System.nanoTime();
        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(buildkite.snapshot(uuid).state()).isEqualTo("FINISHED");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "register", "outcome", "http_429")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "acquire", "outcome", "http_429")
                        .count())
                .isEqualTo(1);
        assertThat(buildkite.agentCalls("buildkite-" + uuid))
                .extracting(FakeBuildkite.AgentCall::call) // faulted calls are not recorded
                .containsExactly("register", "connect", "acquire", "start", "chunks", "finish", "disconnect");
    }

    @Test
    void aCallAfterAcquireStopsAfterFiveTriesOrAFinalAnswerAndTheAgentStillDisconnects() {
        String first = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(3);
        for (int i = 0; i < JobFailer.ATTEMPTS; i++) {
            buildkite.enqueueAgentFault(Fault.status(500)); // start, every try
        }
        assertThatThrownBy(() -> failer.fail(report(first)))
                .hasMessage("agent API start answered 500: fault injected: HTTP 500");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "start", "outcome", "http_500")
                        .count())
                .isEqualTo(JobFailer.ATTEMPTS);
        assertThat(buildkite.agentCalls("buildkite-" + first))
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "connect", "acquire", "disconnect");

        String second = buildkite.scheduleCommand("make", "queue=kubernetes");
        passThrough(5); // register, connect, acquire, start, chunks
        buildkite.enqueueAgentFault(Fault.status(422)); // finish: e.g. the job was cancelled meanwhile
        assertThatThrownBy(() -> failer.fail(report(second))).hasMessageContaining("agent API finish answered 422");
        assertThat(metrics.counter("buildkite.agent.api.calls", "call", "finish", "outcome", "http_422")
                        .count())
                .isEqualTo(1);
        assertThat(buildkite.agentCalls("buildkite-" + second))
                .extracting(FakeBuildkite.AgentCall::call)
                .containsExactly("register", "connect", "acquire", "start", "chunks", "disconnect");
    }

    /** The next n agent API requests are answered normally (faults are taken in request order). */
    private void passThrough(int n) {
        for (int i = 0; i < n; i++) {
            buildkite.enqueueAgentFault(Fault.delay(Duration.ZERO));
        }
    }

    @Test
    void aWrongAgentTokenIsReportedWithoutTheToken() {
        JobFailer wrong = new JobFailer(
                new AgentApi(buildkite.agentEndpoint(), Duration.ofSeconds(5), "t", new ResponseSizeLimit(1 << 20)),
                () -> "bkag_wrong_secret",
                Clock.systemUTC(),
                metrics,
                JobFailer.RETRY_INTERVAL);
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        assertThatThrownBy(() -> wrong.fail(report(uuid)))
                .hasMessage("agent API register answered 401: Invalid agent registration token")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("bkag_wrong_secret"));
    }
}
