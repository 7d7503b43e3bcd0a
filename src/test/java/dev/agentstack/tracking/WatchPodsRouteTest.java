package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.sandbox.ClusterSimulator.Scenario;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.FakeJob;
import dev.agentstack.scheduling.InFlightByQueue;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each way a job can never run, driven through the real routes by the cluster simulator. */
class WatchPodsRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ControllerHarness harness() {
        return new ControllerHarness(b -> b.set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1))
                .set(Options.EMPTY_JOB_GRACE_PERIOD, Duration.ofSeconds(6))
                .set(Options.POD_PENDING_TIMEOUT, Duration.ofSeconds(3))
                .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(1)));
    }

    private static FakeJob.Snapshot awaitFinished(ControllerHarness h, String uuid) {
        await().atMost(ControllerHarness.WAIT)
                .until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
        return h.buildkite().snapshot(uuid);
    }

    private static void assertFailedWithStackError(FakeJob.Snapshot job, String exitStatus) {
        assertThat(job.exitStatus()).isEqualTo(exitStatus);
        assertThat(job.signalReason()).isEqualTo("stack_error");
        assertThat(job.log())
                .startsWith("~~~ :kubernetes: agent-stack-camel could not run this job\n")
                .doesNotContain(ControllerHarness.TOKEN)
                .doesNotContain(ControllerHarness.AGENT_TOKEN);
    }

    @Test
    void anImageThatCannotBePulledFailsTheJobWithATableThenDeletesTheJob() throws Exception {
        try (ControllerHarness h = harness();
                LogCapture logs = new LogCapture()) {
            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.IMAGE_PULL_FAILS);
            h.start();

            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertFailedWithStackError(job, "1");
            assertThat(job.log())
                    .contains("The following containers could not be created or their images could not be pulled:")
                    .containsPattern("CONTAINER +IMAGE +REASON +MESSAGE")
                    .containsPattern("container-0 +ghcr.io/buildkite/agent:3.136.2 +(ErrImagePull|ImagePullBackOff)")
                    .contains("Warning events of pod buildkite-" + uuid)
                    .containsPattern("LAST EVENT +REPEATED +TYPE +REASON +MESSAGE");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);

            // Exactly the agent's calls, with the agent's payloads.
            List<FakeBuildkite.AgentCall> calls = h.buildkite().agentCalls(PodSpecBuilder.jobName(uuid));
            assertThat(calls)
                    .extracting(FakeBuildkite.AgentCall::call)
                    .containsExactly("register", "connect", "acquire", "start", "chunks", "finish", "disconnect");
            JsonNode register = JSON.readTree(calls.get(0).body());
            assertThat(register.path("name").asText()).isEqualTo("buildkite-" + uuid);
            assertThat(register.path("ignore_in_dispatches").asBoolean()).isTrue();
            assertThat(register.path("meta_data").get(0).asText()).isEqualTo("queue=kubernetes");
            assertThat(calls.get(0).headers().get("authorization"))
                    .containsExactly("Token " + ControllerHarness.AGENT_TOKEN);
            assertThat(calls.get(1).headers().get("authorization").get(0)).startsWith("Token access-");
            FakeBuildkite.AgentCall chunks = calls.get(4);
            assertThat(chunks.headers().get("content-encoding")).containsExactly("gzip");
            assertThat(chunks.headers().get("content-type")).containsExactly("text/plain");
            JsonNode finish = JSON.readTree(calls.get(5).body());
            assertThat(finish.path("exit_status").asText()).isEqualTo("1");
            assertThat(finish.path("signal_reason").asText()).isEqualTo("stack_error");
            assertThat(finish.path("chunks_failed_count").asInt(-1)).isZero();
            assertThat(finish.path("finished_at").asText()).isNotEmpty();
            assertThat(logs.lines())
                    .noneMatch(l -> l.contains(ControllerHarness.AGENT_TOKEN) || l.contains(ControllerHarness.TOKEN));
        }
    }

    @Test
    void anInvalidImageNameFailsAtOnceWithoutWaitingForTheGracePeriod() {
        try (ControllerHarness h =
                new ControllerHarness(b -> b.set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofHours(1)))) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.INVALID_IMAGE_NAME);
            h.start();
            assertThat(awaitFinished(h, uuid).log()).contains("InvalidImageName");
        }
    }

    @Test
    void aMissingSecretOrConfigMapFailsTheJob() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.MISSING_CONFIG);
            h.start();
            assertThat(awaitFinished(h, uuid).log())
                    .contains("CreateContainerConfigError", "secret \"missing-secret\" not found");
        }
    }

    @Test
    void aFailedInitContainerFailsTheJobWithItsExitCode() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.INIT_CONTAINER_FAILS);
            h.start();
            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertFailedWithStackError(job, "1");
            assertThat(job.log())
                    .contains("The following init containers failed:")
                    .containsPattern("CONTAINER +EXIT CODE +SIGNAL +REASON +MESSAGE");
        }
    }

    @Test
    void aPodPendingTooLongFailsTheJobWithItsConditionsAndWarningEvents() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.UNSCHEDULABLE);
            h.start();
            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.log())
                    .containsPattern("has been in Pending state for \\d+s without starting\\.")
                    .containsPattern("PodScheduled +False +Unschedulable")
                    .contains("FailedScheduling", "0/3 nodes are available");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);
        }
    }

    @Test
    void aJobThatNeverGetsAPodFailsWithTheJobsEvents() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.NO_POD);
            h.start();
            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.log())
                    .containsPattern("The Kubernetes job spent \\d+s without starting a pod\\.")
                    .contains("Events of Kubernetes job buildkite-" + uuid)
                    .contains("FailedCreate", "error looking up service account")
                    .doesNotContain("Events: none");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);
        }
    }

    @Test
    void aSlowBuildkiteWhileAJobIsFailedDoesNotHoldUpTheJobWatch() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(
                        Options.EMPTY_JOB_GRACE_PERIOD, Duration.ofSeconds(1))
                .set(Options.POD_PENDING_TIMEOUT, Duration.ofHours(1))
                .set(Options.IN_FLIGHT_RECONCILE_INTERVAL, Duration.ofHours(1)) // only the watch frees slots here
                .set(Options.HTTP_TIMEOUT, Duration.ofSeconds(30)))) {
            String withoutPod = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(withoutPod, Scenario.NO_POD);
            String waiting = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.simulateCluster().script(waiting, Scenario.UNSCHEDULABLE);
            h.buildkite().enqueueAgentFault(dev.agentstack.sandbox.Fault.delay(Duration.ofSeconds(10))); // register
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.buildkite().requests().stream()
                            .anyMatch(r -> r.path().equals("/v3/register")));
            InFlightByQueue inFlight = h.controller().bean("inFlightJobs", InFlightByQueue.class);
            assertThat(inFlight.inFlight()).isEqualTo(2);

            // While Buildkite takes 10s to answer the failing of one job, the other Job is deleted by hand: the Job
            // watch frees its slot without waiting for that answer, so the first job is still being failed then.
            h.kubernetes()
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(ControllerHarness.NAMESPACE)
                    .withName("buildkite-" + waiting)
                    .delete();
            await().atMost(ControllerHarness.WAIT).until(() -> inFlight.inFlight() <= 1);
            assertThat(h.buildkite().state(withoutPod)).as("still being failed").isNotEqualTo("FINISHED");
            awaitFinished(h, withoutPod);
        }
    }

    @Test
    void aPodOomKilledBeforeTheAgentTookTheJobFailsItNamingTheContainer() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.OOM_KILLED_BEFORE_ACQUIRE);
            h.start();
            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertFailedWithStackError(job, "137");
            assertThat(job.log())
                    .contains(
                            "failed before the agent acquired this Buildkite job",
                            "Container container-0 was killed for using more memory than its limit");
        }
    }

    @Test
    void anEvictedPodFailsTheJobWithTheEvictionMessage() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.EVICTED_BEFORE_ACQUIRE);
            h.start();
            assertThat(awaitFinished(h, uuid).log()).contains("Evicted: The node was low on resource: memory.");
        }
    }

    @Test
    void aPodThatDiedAfterAnAgentTookTheJobIsLeftToBuildkite() {
        try (ControllerHarness h = harness();
                LogCapture logs = new LogCapture()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.OOM_KILLED_BEFORE_ACQUIRE);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            h.buildkite().acquireAsAnotherAgent(uuid);
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !h.buildkite().graphqlRequests().stream()
                            .filter(r -> r.body().contains("JobState"))
                            .toList()
                            .isEmpty());
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() > polls + 2);
            assertThat(h.buildkite().agentCalls()).isEmpty();
            assertThat(h.buildkite().state(uuid)).isEqualTo("ACCEPTED");
        }
    }

    @Test
    void aJobAnotherAgentHoldsIsCancelledWhenItsImageCannotBePulled() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.IMAGE_PULL_FAILS);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            h.buildkite().acquireAsAnotherAgent(uuid);
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "CANCELED".equals(h.buildkite().state(uuid)));
            assertThat(h.buildkite().agentCalls(PodSpecBuilder.jobName(uuid)))
                    .extracting(FakeBuildkite.AgentCall::call)
                    .containsExactly("register", "connect", "acquire", "disconnect");
        }
    }

    @Test
    void theSameFailureIsReportedOnceEvenAcrossARestart() {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.INIT_CONTAINER_FAILS);
            h.start();
            awaitFinished(h, uuid);
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.job(uuid).getMetadata().getAnnotations() != null
                            && "init_container"
                                    .equals(h.job(uuid)
                                            .getMetadata()
                                            .getAnnotations()
                                            .get(JobLabels.FAILURE_REPORTED)));

            h.restart();
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() > polls + 3);
            assertThat(h.buildkite().agentCalls(PodSpecBuilder.jobName(uuid)))
                    .filteredOn(c -> c.call().equals("register"))
                    .hasSize(1);
        }
    }

    @Test
    void aChangeMissedWhileTheWatchWasDownIsStillHandled() throws Exception {
        try (ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.INIT_CONTAINER_FAILS);
            h.start();
            h.controller().camelContext().getRouteController().stopRoute("watch-pods"); // the watch closed
            await().atMost(ControllerHarness.WAIT)
                    .until(() ->
                            h
                                    .kubernetes()
                                    .client()
                                    .pods()
                                    .inNamespace(ControllerHarness.NAMESPACE)
                                    .list()
                                    .getItems()
                                    .stream()
                                    .anyMatch(p -> p.getStatus() != null
                                            && "Failed".equals(p.getStatus().getPhase())));
            assertThat(h.buildkite().state(uuid)).isEqualTo("SCHEDULED");
            h.controller().camelContext().getRouteController().startRoute("watch-pods"); // re-established: relists
            awaitFinished(h, uuid);
        }
    }

    @Test
    void cancelledJobsWithoutARunningPodLoseTheirKubernetesJobThoughEachCheckAsksAboutOnlySome() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 0)
                .set(Options.K8S_CLIENT_RATE_LIMITER_QPS, 0)
                .set(Options.POD_PENDING_TIMEOUT, Duration.ofHours(1))
                .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(2))
                .set(Options.GRAPHQL_PAGE_SIZE, 500))) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String uuid = h.buildkite().scheduleCommand("job " + i, "queue=kubernetes");
                uuids.add(uuid);
                h.simulateCluster().script(uuid, Scenario.UNSCHEDULABLE);
            }
            h.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> h.jobs().size() == 200);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> h.kubernetes()
                                    .client()
                                    .pods()
                                    .inNamespace(ControllerHarness.NAMESPACE)
                                    .list()
                                    .getItems()
                                    .size()
                            == 200);
            h.buildkite().clearRecords();

            // The checks ask about 40 jobs at a time (20 a second of the 2s interval), in turn, in one request each:
            // a cancelled job anywhere among the 200 is still found.
            List<String> cancelled = List.of(uuids.get(0), uuids.get(100), uuids.get(199));
            cancelled.forEach(u -> h.buildkite().setState(u, "CANCELED"));
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> cancelled.stream().allMatch(u -> h.job(u) == null));
            assertThat(h.jobs()).hasSize(197);
            List<FakeBuildkite.RecordedRequest> checks = h.buildkite().graphqlRequests().stream()
                    .filter(r -> r.body().contains("JobStates"))
                    .toList();
            assertThat(checks).isNotEmpty().allSatisfy(r -> assertThat(r.body()).doesNotContain("j40:"));
            assertThat(checks.get(0).body()).contains("j39: job(uuid: $u39)");
            assertThat(h.buildkite().agentCalls()).isEmpty();
        }
    }

    @Test
    void aCancelCheckThatFailsSaysWhyAndTheNextOneDeletesTheJob() throws Exception {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.POD_PENDING_TIMEOUT, Duration.ofHours(1))
                        .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(1)))) {
            String uuid = h.buildkite().scheduleCommand("waits for a node", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.UNSCHEDULABLE);
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.kubernetes()
                                    .client()
                                    .pods()
                                    .inNamespace(ControllerHarness.NAMESPACE)
                                    .list()
                                    .getItems()
                                    .size()
                            == 1);
            // from now on only the cancel checker asks Buildkite anything, so it meets the fault
            for (org.apache.camel.Route route : h.controller().camelContext().getRoutes()) {
                if (route.getRouteId().startsWith("buildkite-scheduled-jobs-source")) { // the polls' Kamelet route
                    h.controller().camelContext().getRouteController().stopRoute(route.getRouteId());
                }
            }
            h.buildkite().enqueueGraphqlFault(dev.agentstack.sandbox.Fault.malformedJson());
            h.buildkite().setState(uuid, "CANCELED");

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);
            assertThat(logs.linesContaining("cancel check of 1 job(s) failed"))
                    .first()
                    .asString()
                    .contains("failed: GraphQL answer is not valid JSON; trying again next interval");
        }
    }

    @Test
    void aRateLimitedCancelCheckSendsNoFurtherRequestUntilTheWaitBuildkiteAskedForIsOver() throws Exception {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 0)
                        .set(Options.K8S_CLIENT_RATE_LIMITER_QPS, 0)
                        .set(Options.POD_PENDING_TIMEOUT, Duration.ofHours(1))
                        .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(30)) // 600 jobs per check
                        .set(Options.GRAPHQL_PAGE_SIZE, 500))) {
            for (int i = 0; i < 501; i++) { // one check: a request about 500 jobs, then one about the last
                h.simulateCluster()
                        .script(h.buildkite().scheduleCommand("job " + i, "queue=kubernetes"), Scenario.UNSCHEDULABLE);
            }
            h.start();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> h.kubernetes()
                                    .client()
                                    .pods()
                                    .inNamespace(ControllerHarness.NAMESPACE)
                                    .list()
                                    .getItems()
                                    .size()
                            == 501);
            var routes = h.controller().camelContext().getRouteController();
            routes.stopRoute("cancel-checker");
            for (org.apache.camel.Route route : h.controller().camelContext().getRoutes()) {
                if (route.getRouteId().startsWith("buildkite-scheduled-jobs-source")) { // the polls' Kamelet route
                    routes.stopRoute(route.getRouteId());
                }
            }
            h.buildkite().clearRecords();
            h.buildkite().enqueueGraphqlFault(dev.agentstack.sandbox.Fault.rateLimited(60));
            routes.startRoute("cancel-checker"); // a check a second after it starts

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !logs.linesContaining("cancel check of 500 job(s) failed")
                                    .isEmpty()
                            && h.controller()
                                            .camelContext()
                                            .getInflightRepository()
                                            .size("cancel-checker")
                                    == 0);
            assertThat(logs.linesContaining("cancel check of 500 job(s) failed"))
                    .first()
                    .asString()
                    .contains("next check in 1m, as Buildkite asked");
            assertThat(h.buildkite().graphqlRequests())
                    .as("the check's second request waits too")
                    .hasSize(1);
        }
    }

    @Test
    void aFindingThatCannotBeReportedIsOneLogLineAndIsTriedAgain() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = harness()) {
            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.IMAGE_PULL_FAILS);
            h.buildkite().enqueueAgentFault(dev.agentstack.sandbox.Fault.status(500)); // the first register
            h.start();

            assertFailedWithStackError(awaitFinished(h, uuid), "1");
            assertThat(logs.linesContaining("agent API register answered 500"))
                    .as("one line, no stack trace")
                    .hasSize(1)
                    .allMatch(l -> l.startsWith("ERROR [dev.agentstack.controller] route act-on-finding failed:")
                            && !l.contains("\tat "));
        }
    }
}
