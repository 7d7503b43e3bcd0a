package dev.agentstack.tracking;

import static dev.agentstack.tracking.PodFailureClassifierTest.T0;
import static dev.agentstack.tracking.PodFailureClassifierTest.pod;
import static dev.agentstack.tracking.PodFailureClassifierTest.running;
import static dev.agentstack.tracking.PodFailureClassifierTest.terminated;
import static dev.agentstack.tracking.PodFailureClassifierTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The completion watcher's decisions: which pods need their Job ended, and the deadline that ends it. */
class AgentCompletionTest {

    static Stream<Arguments> pods() {
        return Stream.of(
                Arguments.of(
                        "the agent and every container still run",
                        pod("Running", List.of(), List.of(running("agent"), running("container-0"))),
                        false),
                Arguments.of(
                        "the agent finished, a plain container still runs",
                        pod(
                                "Running",
                                List.of(),
                                List.of(
                                        terminated("agent", 0, "Completed"),
                                        terminated("container-0", 0, "Completed"),
                                        running("stuck"))),
                        true),
                Arguments.of(
                        "the agent failed, a plain container still runs",
                        pod("Running", List.of(), List.of(terminated("agent", 1, "Error"), running("stuck"))),
                        true),
                Arguments.of(
                        "the agent finished, a container has not started",
                        pod(
                                "Running",
                                List.of(),
                                List.of(terminated("agent", 0, "Completed"), waiting("stuck", "ContainerCreating"))),
                        true),
                Arguments.of(
                        "the agent finished, only a native sidecar runs (Kubernetes ends it)",
                        pod(
                                "Running",
                                List.of(running("sidecar-0")),
                                List.of(
                                        terminated("agent", 0, "Completed"),
                                        terminated("container-0", 0, "Completed"))),
                        false),
                Arguments.of(
                        "a container finished but the agent runs",
                        pod("Running", List.of(), List.of(running("agent"), terminated("checkout", 0, "Completed"))),
                        false),
                Arguments.of(
                        "the pod already succeeded",
                        pod("Succeeded", List.of(), List.of(terminated("agent", 0, "Completed"), running("stuck"))),
                        false),
                Arguments.of(
                        "the pod already failed",
                        pod("Failed", List.of(), List.of(terminated("agent", 0, "Completed"), running("stuck"))),
                        false),
                Arguments.of(
                        "the pod's state is unknown",
                        pod("Unknown", List.of(), List.of(terminated("agent", 0, "Completed"), running("stuck"))),
                        false),
                Arguments.of("no container statuses yet", pod("Pending", List.of(), null), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void setsADeadlineOnlyWhenTheAgentFinishedWhileAnotherContainerRuns(String name, Pod pod, boolean expected) {
        assertThat(AgentCompletion.agentFinishedWhileOthersRun(pod)).isEqualTo(expected);
    }

    static Job job(String startTime, Long activeDeadlineSeconds) {
        return new JobBuilder()
                .withNewMetadata()
                .withName("buildkite-u1")
                .endMetadata()
                .withNewSpec()
                .withActiveDeadlineSeconds(activeDeadlineSeconds)
                .endSpec()
                .withNewStatus()
                .withStartTime(startTime)
                .endStatus()
                .build();
    }

    @Test
    void theDeadlineEndsTheJobOneGracePeriodFromNow() {
        Job started = job(T0.toString(), 21600L);
        assertThat(AgentCompletion.deadlineSeconds(started, T0.plusSeconds(600), Duration.ofSeconds(60)))
                .isEqualTo(OptionalLong.of(660));
        assertThat(AgentCompletion.deadlineSeconds(job(T0.toString(), null), T0.plusSeconds(5), Duration.ZERO))
                .isEqualTo(OptionalLong.of(5));
        assertThat(AgentCompletion.deadlineSeconds(job(T0.toString(), null), T0, Duration.ZERO))
                .as("Kubernetes requires a positive deadline")
                .isEqualTo(OptionalLong.of(1));
    }

    @Test
    void aLaterEventNeverPushesTheDeadlineBack() {
        Job set = job(T0.toString(), 660L);
        assertThat(AgentCompletion.deadlineSeconds(set, T0.plusSeconds(600), Duration.ofSeconds(60)))
                .isEmpty();
        assertThat(AgentCompletion.deadlineSeconds(set, T0.plusSeconds(630), Duration.ofSeconds(60)))
                .isEmpty();
        assertThat(AgentCompletion.deadlineSeconds(job(T0.toString(), 30L), T0.plusSeconds(10), Duration.ofSeconds(60)))
                .as("a nearer deadline of the Job's own stays")
                .isEmpty();
    }

    @Test
    void aJobNotStartedGetsNoDeadline() {
        assertThat(AgentCompletion.deadlineSeconds(job(null, null), T0, Duration.ofSeconds(60)))
                .isEmpty();
    }
}
