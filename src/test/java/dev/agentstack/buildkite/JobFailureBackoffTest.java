package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job whose failing failed is left alone for a while, longer after each failure, and never tried meanwhile. */
class JobFailureBackoffTest {

    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken("agent-token");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final JobFailer failer = new JobFailer(
            new AgentApi(
                    buildkite.agentEndpoint(),
                    Duration.ofSeconds(5),
                    "agent-stack-camel/test",
                    new ResponseSizeLimit(1 << 20)),
            () -> "agent-token",
            clock,
            new SimpleMeterRegistry(),
            Duration.ofMillis(10));

    @AfterEach
    void close() {
        buildkite.close();
    }

    private FailureReport report(String uuid) {
        return new FailureReport(
                uuid, "buildkite-" + uuid, List.of("queue=kubernetes"), "image_pull", "no image", 1, false);
    }

    private int registers() {
        return (int) buildkite.requests().stream()
                .filter(r -> r.path().endsWith("/register"))
                .count();
    }

    @Test
    void eachFailedAttemptDoublesTheWaitBeforeTheNext() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.status(503)); // register, first attempt
        assertThatThrownBy(() -> failer.fail(report(uuid))).hasMessageContaining("agent API register answered 503");
        assertThat(failer.backingOff(uuid)).isTrue();

        clock.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> failer.fail(report(uuid)))
                .isInstanceOf(JobFailer.BackingOff.class)
                .hasMessage("failing job " + uuid + " failed 1 time(s) in a row; next attempt in 1s");
        assertThat(registers()).as("no call while backing off").isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        buildkite.enqueueAgentFault(Fault.status(503)); // register, second attempt
        assertThatThrownBy(() -> failer.fail(report(uuid))).isInstanceOf(AgentApi.AgentApiException.class);
        assertThat(registers()).isEqualTo(2);
        assertThatThrownBy(() -> failer.fail(report(uuid))).isInstanceOf(JobFailer.BackingOff.class);

        clock.advance(Duration.ofSeconds(19));
        assertThat(failer.backingOff(uuid)).as("20s after the second failure").isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(failer.fail(report(uuid))).isEqualTo(JobFailer.Outcome.FAILED);
        assertThat(failer.backingOff(uuid)).isFalse();
    }

    @Test
    void theBackoffIsPerJob() {
        String first = buildkite.scheduleCommand("make", "queue=kubernetes");
        String second = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.status(500));
        assertThatThrownBy(() -> failer.fail(report(first))).isInstanceOf(AgentApi.AgentApiException.class);
        assertThat(failer.fail(report(second))).isEqualTo(JobFailer.Outcome.FAILED);
        assertThat(failer.backingOff(first)).isTrue();
    }

    @Test
    void aWaitBuildkiteAskedForIsKept() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.status(500)); // register: not retried before acquire
        assertThatThrownBy(() -> failer.fail(report(uuid))).isInstanceOf(AgentApi.AgentApiException.class);
        assertThat(new JobFailureBackoff(clock).failed("x", Duration.ofMinutes(3)))
                .isEqualTo(Duration.ofMinutes(3));
        assertThat(new JobFailureBackoff(clock).failed("x", Duration.ofHours(3)))
                .isEqualTo(JobFailureBackoff.MAX);
    }
}
