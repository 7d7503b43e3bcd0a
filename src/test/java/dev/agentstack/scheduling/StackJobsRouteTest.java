package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeStacksApi;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scheduling flow with jobs from the Stacks API: register, list, reserve, read, create; deregister on stop. */
class StackJobsRouteTest {

    private static ControllerHarness stacks() {
        return new ControllerHarness(ControllerHarness.source("stacks"));
    }

    @Test
    void everyCreatedJobsJobWasReservedForOurStackFirst() {
        try (ControllerHarness h = stacks()) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                uuids.add(h.buildkite().scheduleCommand("echo " + i, "queue=kubernetes"));
            }
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 4);
            FakeStacksApi api = h.buildkite().stacks();
            assertThat(api.registeredStacks())
                    .extracting(FakeStacksApi.Stack::key, FakeStacksApi.Stack::queueKey)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("agent-stack-camel", "kubernetes"));
            assertThat(api.reservedIds()).containsExactlyInAnyOrderElementsOf(uuids);
            assertThat(h.jobs())
                    .extracting(j -> j.getMetadata().getLabels().get("buildkite.com/job-uuid"))
                    .containsExactlyInAnyOrderElementsOf(uuids);
            assertThat(h.buildkite().graphqlRequests())
                    .as("no GraphQL token, no GraphQL poll")
                    .noneMatch(r -> r.body().contains("ScheduledJobsPage"));
        }
    }

    @Test
    void onlyTheJobsTheFreeSlotsAllowAreReservedSoNoneIsHeldBackWhileReserved() {
        try (ControllerHarness h = new ControllerHarness(
                b -> ControllerHarness.source("stacks").apply(b).set(Options.MAX_IN_FLIGHT, 2))) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                uuids.add(h.buildkite().scheduleCommand("sleep " + i, "queue=kubernetes"));
            }
            h.simulateCluster(java.time.Duration.ofMillis(200));
            h.start();

            // A job reserved and then held back would stay hidden from the list until its reservation expired.
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 5);
            assertThat(h.buildkite().stacks().reservedIds()).containsExactlyInAnyOrderElementsOf(uuids);
        }
    }

    @Test
    void aPollReadsItsReservedJobsDetailsAtOnceUpToJobCreationConcurrency() {
        try (ControllerHarness h = new ControllerHarness(
                b -> ControllerHarness.source("stacks").apply(b).set(Options.JOB_CREATION_CONCURRENCY, 4))) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                uuids.add(h.buildkite().scheduleCommand("echo " + i, "queue=kubernetes"));
            }
            FakeStacksApi api = h.buildkite().stacks();
            // every get-job answer comes late, so the reads of one poll overlap if they are made at once
            api.randomFaults(
                    1.0,
                    1,
                    List.of(dev.agentstack.sandbox.Fault.delay(java.time.Duration.ofMillis(300))),
                    java.util.Set.of("get-job"));
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 12);
            assertThat(api.mostConcurrentRequests("get-job")).isBetween(2, 4);
            assertThat(api.reservedIds()).containsExactlyInAnyOrderElementsOf(uuids);
        }
    }

    @Test
    void aFailedReservationSaysSoAndTheNextPollTakesTheJob() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = stacks()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.buildkite()
                    .stacks()
                    .randomFaults(
                            1.0,
                            1,
                            List.of(dev.agentstack.sandbox.Fault.status(500)),
                            java.util.Set.of("batch-reserve"));
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !logs.linesContaining("poll failed").isEmpty());
            h.buildkite().stacks().randomFaults(0, 1, List.of(), java.util.Set.of());

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            assertThat(logs.linesContaining("poll failed").get(0))
                    .contains(
                            "queue kubernetes: poll failed reserving jobs (http_500): Stacks API batch-reserve answered 500")
                    .doesNotContain("on page", "scheduling the");
        }
    }

    @Test
    void eachQueueOfQueuesHasAStackOfItsOwn() {
        try (ControllerHarness h = new ControllerHarness(b -> ControllerHarness.source("stacks")
                .apply(b)
                .setFromYaml(
                        Options.QUEUES,
                        List.of(
                                java.util.Map.of("tags", List.of("queue=linux", "os=linux")),
                                java.util.Map.of("tags", List.of("queue=gpu")))))) {
            String linux = h.buildkite().scheduleCommand("make", "queue=linux", "os=linux");
            String windows = h.buildkite().scheduleCommand("msbuild", "queue=linux", "os=windows");
            String gpu = h.buildkite().scheduleCommand("train", "queue=gpu");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(linux) != null && h.job(gpu) != null);
            assertThat(h.buildkite().stacks().stacks())
                    .extracting(FakeStacksApi.Stack::key, FakeStacksApi.Stack::queueKey)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("agent-stack-camel-linux", "linux"),
                            org.assertj.core.groups.Tuple.tuple("agent-stack-camel-gpu", "gpu"));
            assertThat(h.buildkite().stacks().reservedIds())
                    .as("a job our tags do not match is not reserved")
                    .containsExactlyInAnyOrder(linux, gpu)
                    .doesNotContain(windows);
        }
    }

    static Stream<Arguments> createFailures() {
        return Stream.of(
                // the controller's client tries a 500 three times (backoff limit 2), so the whole create fails
                Arguments.of("500: the Job may exist until a list says not", internalError(), 3),
                Arguments.of("403: no right to create Jobs, polls back off", CreateRefusalTest.rbac(), 2),
                Arguments.of("404: the namespace is being created", namespaceNotFound(), 2));
    }

    /**
     * A reserved job is hidden from the list until its reservation expires (15 minutes here), so the poll that
     * reserved it, not Buildkite, has to offer it again when its Job could not be created.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("createFailures")
    void aJobWhoseCreateFailedIsTakenAgainByALaterPollNotAtItsReservationsExpiry(
            String name, Status failure, int times) {
        try (ControllerHarness h = new ControllerHarness(b -> ControllerHarness.source("stacks")
                .apply(b)
                .set(Options.IN_FLIGHT_RECONCILE_INTERVAL, java.time.Duration.ofSeconds(2)))) {
            h.withControllerClient(() -> new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(h.kubernetes().newClient().getConfiguration())
                            .withRequestRetryBackoffLimit(2) // as the controller's own client
                            .build())
                    .build());
            h.kubernetes()
                    .server()
                    .expect()
                    .post()
                    .withPath("/apis/batch/v1/namespaces/" + ControllerHarness.NAMESPACE + "/jobs")
                    .andReturn(failure.getCode(), failure)
                    .times(times);
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            assertThat(h.buildkite().stacks().reservations())
                    .extracting(FakeStacksApi.Reservation::jobUuid)
                    .as("reserved again by the polls that took it again, which extends the reservation")
                    .hasSizeGreaterThan(1)
                    .containsOnly(uuid);
        }
    }

    private static Status internalError() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(500)
                .withReason("InternalError")
                .withMessage("Internal error occurred: etcdserver: request timed out")
                .build();
    }

    private static Status namespaceNotFound() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(404)
                .withReason("NotFound")
                .withMessage("namespaces \"" + ControllerHarness.NAMESPACE + "\" not found")
                .build();
    }

    @Test
    void aPausedQueueGetsNoNewJobsUntilItResumes() {
        try (ControllerHarness h = stacks()) {
            h.buildkite().stacks().pauseQueue("kubernetes");
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.polls() >= 3);
            assertThat(h.jobs()).isEmpty();
            assertThat(h.buildkite().stacks().reservedIds()).isEmpty();

            h.buildkite().stacks().resumeQueue("kubernetes");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
        }
    }

    @Test
    void aCleanShutdownDeregistersTheStack() {
        try (ControllerHarness h = stacks()) {
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !h.buildkite().stacks().stacks().isEmpty());

            h.controller().close();

            assertThat(h.buildkite().stacks().deregisteredStacks()).containsExactly("agent-stack-camel");
        }
    }

    @Test
    void theAgentTokenAppearsInNoLogLineAndNoJob() {
        try (ControllerHarness h = new ControllerHarness(
                        b -> ControllerHarness.source("stacks").apply(b).set(Options.DEBUG, true));
                LogCapture logs = new LogCapture()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);

            Job job = h.job(uuid);
            assertThat(h.client().getKubernetesSerialization().asYaml(job))
                    .doesNotContain(ControllerHarness.AGENT_TOKEN);
            assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(ControllerHarness.AGENT_TOKEN));
        }
    }

    @Test
    void aRefusedAgentTokenStopsTheControllerWithAClearMessage() {
        try (ControllerHarness h = stacks()) {
            h.buildkite().withAgentToken("bkct_another_token");
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.controller().lifecycle().isStopRequested());
            assertThat(h.controller().lifecycle().exitCode()).isEqualTo(2);
            assertThat(h.controller().lifecycle().failure())
                    .contains("cannot register stack \"agent-stack-camel\"")
                    .contains("check the agent token")
                    .doesNotContain(ControllerHarness.AGENT_TOKEN);
        }
    }
}
