package dev.agentstack.scheduling;

import static dev.agentstack.scheduling.InFlightRouteTest.creations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.runtime.ControllerHealth;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.fabric8.kubernetes.api.model.Status;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the API server still refuses after the builder's checks: a refused Job ends its job once, with the API server's
 * message; a controller without the right to create Jobs backs off and reports not ready instead of failing jobs.
 */
class ApiServerRefusalTest {

    private static final String JOBS = "/apis/batch/v1/namespaces/" + ControllerHarness.NAMESPACE + "/jobs";

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("422 Invalid", CreateRefusalTest.invalid()),
                Arguments.of("403 from an admission webhook", CreateRefusalTest.webhook()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aRefusedJobIsFailedInBuildkiteOnceAndNeverSentAgain(String name, Status status) {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            h.kubernetes()
                    .server()
                    .expect()
                    .post()
                    .withPath(JOBS)
                    .andReturn(status.getCode(), status)
                    .always();
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            // a slow agent API: the job stays scheduled in Buildkite for several polls while it is being failed
            h.buildkite().enqueueAgentFault(Fault.delay(Duration.ofSeconds(3)));
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 2);

            assertThat(h.buildkite().snapshot(uuid).log()).contains(status.getMessage());
            assertThat(h.buildkite().agentCalls().stream().filter(c -> c.call().equals("register")))
                    .as("one ephemeral agent registered to fail it")
                    .hasSize(1);
            assertThat(creations(h, "refused")).as("one create attempt").isEqualTo(1);
            assertThat(creations(h, "error")).isZero();
            assertThat(h.controller()
                            .bean("inFlightJobs", InFlightByQueue.class)
                            .of(h.controller().config().queue())
                            .inFlight())
                    .as("the slot is free")
                    .isZero();
            assertThat(logs.linesContaining("the API server refused Job"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains(uuid, status.getMessage(), "failing the job in Buildkite");
            assertThat(logs.linesContaining("a later poll retries")).isEmpty();
        }
    }

    @Test
    void withoutTheRightToCreateJobsReadinessIsDownUntilACreationSucceeds() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            Status rbac = CreateRefusalTest.rbac();
            // refused three times (polls back off 1s, 2s between them), then the Role is fixed
            h.kubernetes()
                    .server()
                    .expect()
                    .post()
                    .withPath(JOBS)
                    .andReturn(403, rbac)
                    .times(3);
            String first = h.buildkite().scheduleCommand("first", "queue=kubernetes");
            String second = h.buildkite().scheduleCommand("second", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> jobCreation(h) == HealthCheck.State.DOWN);
            assertThat(jobCreationCheck(h).getMessage())
                    .hasValue("the API server refuses to create our Jobs: " + rbac.getMessage());

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(first) != null && h.job(second) != null);
            await().atMost(ControllerHarness.WAIT).until(() -> jobCreation(h) == HealthCheck.State.UP);
            assertThat(logs.linesContaining("does not let this controller create Jobs"))
                    .as("logged once")
                    .singleElement()
                    .asString()
                    .startsWith("ERROR")
                    .contains(rbac.getMessage());
            assertThat(logs.linesContaining("create Jobs again")).hasSize(1);
            assertThat(logs.linesContaining("a later poll retries"))
                    .as("not per job")
                    .isEmpty();
            assertThat(h.buildkite().agentCalls())
                    .as("no job is failed for the controller's problem")
                    .isEmpty();
            assertThat(creations(h, "error")).isEqualTo(3);
        }
    }

    /** The readiness check itself (Camel's readiness answer leaves out checks that are up). */
    private static HealthCheck.Result jobCreationCheck(ControllerHarness h) {
        return h.controller().bean("controllerHealth", ControllerHealth.class).stream()
                .filter(c -> c.getId().equals(ControllerHealth.JOB_CREATION_CHECK) && c.isReadiness())
                .findFirst()
                .orElseThrow()
                .call();
    }

    private static HealthCheck.State jobCreation(ControllerHarness h) {
        return jobCreationCheck(h).getState();
    }
}
