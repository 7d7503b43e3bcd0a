package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.UnfinishedJobsObserver;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** max-in-flight, observed from the API server: never exceeded, never leaked, restored after a restart. */
class InFlightRouteTest {

    static void finish(ControllerHarness h, String uuid) {
        h.kubernetes()
                .client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(ControllerHarness.NAMESPACE)
                .withName(PodSpecBuilder.jobName(uuid))
                .editStatus(j -> new JobBuilder(j)
                        .withNewStatus()
                        .addNewCondition()
                        .withType("Complete")
                        .withStatus("True")
                        .endCondition()
                        .endStatus()
                        .build());
    }

    /** A job whose BUILDKITE_PLUGINS the builder refuses (or accepts): its uuid. */
    static String scheduleWithPlugins(ControllerHarness h, String pluginsJson) {
        String uuid = java.util.UUID.randomUUID().toString();
        h.buildkite()
                .addJob(
                        new dev.agentstack.buildkite.BuildkiteJob(
                                null,
                                uuid,
                                "make",
                                List.of("queue=kubernetes"),
                                0,
                                null,
                                List.of("BUILDKITE_PLUGINS=" + pluginsJson)),
                        "broken step",
                        null);
        return uuid;
    }

    static double creations(ControllerHarness h, String outcome) {
        MeterRegistry metrics = h.controller().bean("metricsRegistry", MeterRegistry.class);
        return metrics.find("buildkite.scheduler.job.creations").tag("outcome", outcome).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {"graphql", "stacks"})
    void jobsFinishingAtRandomNeverLetUnfinishedJobsExceedTheLimit(String source) throws Exception {
        int max = 4;
        try (ControllerHarness h = new ControllerHarness(b -> ControllerHarness.source(source)
                        .apply(b)
                        .set(Options.MAX_IN_FLIGHT, max)
                        .set(Options.JOB_CREATION_CONCURRENCY, 8));
                UnfinishedJobsObserver observer = new UnfinishedJobsObserver(h)) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                uuids.add(h.buildkite().scheduleCommand("job " + i, "queue=kubernetes"));
            }
            h.start();
            // Three "kubelets" finish running Jobs at random moments, as agents acquire and finish the jobs.
            ScheduledExecutorService kubelets = Executors.newScheduledThreadPool(3);
            for (int t = 0; t < 3; t++) {
                Random random = new Random(t);
                kubelets.scheduleWithFixedDelay(
                        () -> {
                            for (String uuid : uuids) {
                                if (Boolean.FALSE.equals(observer.finished.get(uuid)) && random.nextInt(4) == 0) {
                                    h.buildkite().setState(uuid, "FINISHED");
                                    finish(h, uuid);
                                }
                            }
                        },
                        random.nextInt(100),
                        20 + random.nextInt(100),
                        TimeUnit.MILLISECONDS);
            }
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> observer.added.size() == 30);
            } finally {
                kubelets.shutdownNow();
                kubelets.awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(observer.max.get()).isLessThanOrEqualTo(max).isPositive();
            assertThat(observer.added.values())
                    .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(creations(h, "created")).isEqualTo(30);
            assertThat(h.controller()
                            .bean("inFlightJobs", InFlightByQueue.class)
                            .of(h.controller().config().queue())
                            .highWater())
                    .isLessThanOrEqualTo(max);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"graphql", "stacks"})
    void aRestartWith500JobsInFlightRecoversTheCountAndCreatesNoDuplicates(String source) {
        try (ControllerHarness h = new ControllerHarness(
                b -> ControllerHarness.source(source).apply(b).set(Options.MAX_IN_FLIGHT, 505))) {
            List<String> running = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String uuid = h.buildkite().scheduleCommand("running " + i, "queue=kubernetes");
                running.add(uuid);
                h.kubernetes()
                        .client()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(ControllerHarness.NAMESPACE)
                        .resource(new JobBuilder()
                                .withNewMetadata()
                                .withName(PodSpecBuilder.jobName(uuid))
                                .addToLabels(JobLabels.JOB_UUID, uuid)
                                .addToLabels(JobLabels.CONTROLLER_ID, h.config().id())
                                .endMetadata()
                                .withNewSpec()
                                .withNewTemplate()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("agent")
                                .withImage("x")
                                .endContainer()
                                .withRestartPolicy("Never")
                                .endSpec()
                                .endTemplate()
                                .endSpec()
                                .build())
                        .create();
            }
            List<String> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waiting.add(h.buildkite().scheduleCommand("waiting " + i, "queue=kubernetes"));
            }
            h.start();

            InFlightJobs inFlight = h.controller()
                    .bean("inFlightJobs", InFlightByQueue.class)
                    .of(h.controller().config().queue());
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 505);
            if (source.equals("graphql")) {
                int polls = h.graphqlPolls();
                await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 2);
            } else {
                // Every slot is taken, so no poll follows; what matters is that only the 5 were reserved.
                assertThat(h.buildkite().stacks().reservedIds()).hasSize(5).doesNotContainAnyElementsOf(running);
            }
            assertThat(inFlight.inFlight()).isEqualTo(505);
            assertThat(h.jobs()).hasSize(505);
            assertThat(creations(h, "created")).as("5 slots were free").isEqualTo(5);
            assertThat(creations(h, "duplicate"))
                    .as("the 500 were never posted again")
                    .isZero();
            long createdWaiting = waiting.stream().filter(u -> h.job(u) != null).count();
            assertThat(createdWaiting).isEqualTo(5);
        }
    }

    @Test
    void aJobDeletedByHandFreesItsSlot() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 1))) {
            String first = h.buildkite().scheduleCommand("first", "queue=kubernetes");
            String second = h.buildkite().scheduleCommand("second", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(first) != null);
            assertThat(h.job(second)).isNull();

            h.kubernetes()
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(ControllerHarness.NAMESPACE)
                    .withName(PodSpecBuilder.jobName(first))
                    .delete();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(second) != null);
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 2);
            assertThat(h.job(first))
                    .as("a job we created is never started twice")
                    .isNull();
        }
    }

    @Test
    void aClosedWatchIsRepairedByTheNextList() throws Exception {
        try (ControllerHarness h = new ControllerHarness(b ->
                b.set(Options.MAX_IN_FLIGHT, 1).set(Options.IN_FLIGHT_RECONCILE_INTERVAL, Duration.ofSeconds(2)))) {
            String first = h.buildkite().scheduleCommand("first", "queue=kubernetes");
            String second = h.buildkite().scheduleCommand("second", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(first) != null);

            h.controller().camelContext().getRouteController().stopRoute("watch-jobs"); // the watch is gone
            finish(h, first);
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(second) != null);
            assertThat(h.controller()
                            .camelContext()
                            .getRouteController()
                            .getRouteStatus("watch-jobs")
                            .isStopped())
                    .isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"graphql", "stacks"})
    void aJobThatCannotRunIsFailedOnBuildkiteWithTheBuildersReasonAndHoldsNoSlot(String source) {
        try (ControllerHarness h = new ControllerHarness(
                b -> ControllerHarness.source(source).apply(b).set(Options.MAX_IN_FLIGHT, 1))) {
            String broken = scheduleWithPlugins(
                    h,
                    "[{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":"
                            + "{\"podSpec\":{\"containers\":[{\"image\":\"alpine\","
                            + "\"env\":[{\"name\":\"A\",\"value\":1}]}]}}}]");
            String fine = h.buildkite().scheduleCommand("echo fine", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(broken)));
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(fine) != null);
            var failed = h.buildkite().snapshot(broken);
            assertThat(failed.signalReason()).isEqualTo("stack_error");
            String reason = "podSpec.containers[0].env[0].value: expected a string, got a number";
            if (source.equals("stacks")) {
                // the Stacks API's finish carries the reason as the detail the build page shows; no job log
                assertThat(h.buildkite().stacks().finishes())
                        .filteredOn(f -> f.jobUuid().equals(broken))
                        .singleElement()
                        .satisfies(f -> {
                            assertThat(f.exitStatus()).isEqualTo(-1);
                            assertThat(f.detail()).contains(reason);
                        });
            } else {
                assertThat(failed.log()).contains(reason);
            }
            assertThat(h.job(broken)).as("never posted").isNull();
            assertThat(creations(h, "invalid")).isEqualTo(1);
        }
    }

    @Test
    void failingAJobThatCannotRunOnASlowAgentApiHoldsNoCreationWorker() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.JOB_CREATION_CONCURRENCY, 1))) {
            String broken =
                    scheduleWithPlugins(h, "[{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":42}]}}}]");
            String fine = h.buildkite().scheduleCommand("echo fine", "queue=kubernetes"); // after it, one worker
            h.buildkite().enqueueAgentFault(dev.agentstack.sandbox.Fault.delay(Duration.ofSeconds(5)));
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(fine) != null);
            assertThat(h.buildkite().state(broken)).as("still being failed").isEqualTo("SCHEDULED");
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(broken)));
            assertThat(h.buildkite().snapshot(broken).signalReason()).isEqualTo("stack_error");
        }
    }

    @Test
    void aJobThatCannotRunIsFailedOnceEvenWhenPollsComeWhileItIsBeingFailed() {
        try (ControllerHarness h = new ControllerHarness(b -> b)) {
            String broken =
                    scheduleWithPlugins(h, "[{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":42}]}}}]");
            // a slow agent API: the job is still scheduled in Buildkite for several polls
            h.buildkite().enqueueAgentFault(dev.agentstack.sandbox.Fault.delay(Duration.ofSeconds(3)));
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(broken)));
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 2);
            assertThat(h.buildkite().agentCalls().stream().filter(c -> c.call().equals("register")))
                    .as("one ephemeral agent registered to fail it")
                    .hasSize(1);
            assertThat(creations(h, "invalid")).isEqualTo(1);
        }
    }

    @Test
    void aJobThatCannotRunIsFailedByALaterPollWhenTheAgentApiRefusedTheFirstTry() {
        try (ControllerHarness h = new ControllerHarness(b -> b)) {
            String broken =
                    scheduleWithPlugins(h, "[{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":42}]}}}]");
            h.buildkite().enqueueAgentFault(dev.agentstack.sandbox.Fault.status(500));
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(broken)));
            assertThat(h.buildkite().snapshot(broken).log())
                    .as("failed by the second try")
                    .contains("podSpec.containers[0].image");
        }
    }

    /**
     * A poll while every slot is taken could start nothing and would spend Buildkite's GraphQL complexity budget on
     * reading the same jobs again: none is made until a slot frees.
     */
    @Test
    void aQueueWithEverySlotTakenDoesNotPollUntilOneFrees() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 1))) {
            String first = h.buildkite().scheduleCommand("first", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(first) != null);
            String second = h.buildkite().scheduleCommand("second", "queue=kubernetes");
            int polls = h.buildkite().scheduledJobsPolls().size();

            await().during(Duration.ofMillis(3500))
                    .atMost(ControllerHarness.WAIT)
                    .until(() -> h.buildkite().scheduledJobsPolls().size() == polls && h.job(second) == null);

            finish(h, first);
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(second) != null);
            assertThat(h.buildkite().scheduledJobsPolls().size()).isGreaterThan(polls);
        }
    }

    @Test
    void aFailedCreationFreesItsSlot() {
        try (dev.agentstack.testing.LogCapture logs = new dev.agentstack.testing.LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 1))) {
            h.kubernetes()
                    .server()
                    .expect()
                    .post()
                    .withPath("/apis/batch/v1/namespaces/" + ControllerHarness.NAMESPACE + "/jobs")
                    .andReturn(
                            403,
                            Map.of(
                                    "kind",
                                    "Status",
                                    "apiVersion",
                                    "v1",
                                    "status",
                                    "Failure",
                                    "reason",
                                    "Forbidden",
                                    "code",
                                    403,
                                    "message",
                                    "jobs.batch is forbidden"))
                    .times(2);
            String first = h.buildkite().scheduleCommand("first", "queue=kubernetes");
            String second = h.buildkite().scheduleCommand("second", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.job(first) != null && h.job(second) == null || h.job(second) != null);
            MeterRegistry metrics = h.controller().bean("metricsRegistry", MeterRegistry.class);
            assertThat(metrics.find("buildkite.scheduler.job.creations")
                            .tag("outcome", "error")
                            .tag("reason", "Forbidden")
                            .counter()
                            .count())
                    .isEqualTo(2);
            assertThat(h.controller()
                            .bean("inFlightJobs", InFlightByQueue.class)
                            .of(h.controller().config().queue())
                            .inFlight())
                    .isEqualTo(1);
            assertThat(logs.linesContaining("jobs.batch is forbidden"))
                    .as("one line per failure, no stack trace")
                    .hasSize(2)
                    .allMatch(l -> l.startsWith("WARN [dev.agentstack.scheduler]") && !l.contains("\tat "));
        }
    }
}
