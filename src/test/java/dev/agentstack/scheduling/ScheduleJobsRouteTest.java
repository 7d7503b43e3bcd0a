package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scheduling route, end to end: FakeBuildkite's GraphQL API in, Jobs in the CRUD Kubernetes API out. */
class ScheduleJobsRouteTest {

    @ParameterizedTest
    @ValueSource(strings = {"graphql", "stacks"})
    void everyScheduledJobBecomesOneJobWithItsNameAndLabels(String source) {
        try (ControllerHarness h = new ControllerHarness(
                b -> ControllerHarness.source(source).apply(b).set(Options.ID, "stack-a"))) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                uuids.add(h.buildkite().scheduleCommand("echo " + i, "queue=kubernetes"));
            }
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 5);
            for (String uuid : uuids) {
                Job job = h.job(uuid);
                assertThat(job.getMetadata().getName()).isEqualTo("buildkite-" + uuid);
                assertThat(job.getMetadata().getLabels())
                        .containsEntry(JobLabels.JOB_UUID, uuid)
                        .containsEntry(JobLabels.CONTROLLER_ID, "stack-a");
            }
            assertThat(h.buildkite().rejectedQueries()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"graphql", "stacks"})
    void aJobWhoseTagsAreNotOursIsIgnored(String source) {
        try (ControllerHarness h = new ControllerHarness(b ->
                ControllerHarness.source(source).apply(b).set(Options.TAGS, List.of("queue=kubernetes", "os=linux")))) {
            String ours = h.buildkite().scheduleCommand("make", "queue=kubernetes", "os=linux");
            String subset = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            String wildcard = h.buildkite().scheduleCommand("make", "queue=kubernetes", "os=*");
            String otherOs = h.buildkite().scheduleCommand("make", "queue=kubernetes", "os=windows");
            String unknownTag = h.buildkite().scheduleCommand("make", "queue=kubernetes", "gpu=true");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 3);
            int polls = h.polls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.polls() >= polls + 2);
            assertThat(jobUuids(h)).containsExactlyInAnyOrder(ours, subset, wildcard);
            assertThat(h.job(otherOs)).isNull();
            assertThat(h.job(unknownTag)).isNull();
        }
    }

    @Test
    void aRestartWhileAPollIsStillHandingOnItsBacklogStopsGracefullyAndLosesNoJob() {
        // One worker, so the poll's 150 jobs wait in the poll for the workers' one-place queue when the stop comes.
        try (ControllerHarness h = new ControllerHarness(
                        b -> b.set(Options.JOB_CREATION_CONCURRENCY, 1).set(Options.MAX_IN_FLIGHT, 0));
                LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 150; i++) {
                h.buildkite().scheduleCommand("echo " + i, "queue=kubernetes");
            }
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() >= 5);

            h.restart();

            assertThat(logs.linesContaining("Forcing"))
                    .as("the stop was graceful: no route outlived the timeout")
                    .isEmpty();
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 150);
            assertThat(h.jobs().stream()
                            .map(j -> j.getMetadata().getLabels().get(JobLabels.JOB_UUID))
                            .distinct())
                    .hasSize(150);
        }
    }

    @Test
    void laterPollsCreateNoDuplicates() {
        try (ControllerHarness h = new ControllerHarness();
                LogCapture logs = new LogCapture()) {
            h.buildkite().scheduleCommand("echo one", "queue=kubernetes");
            h.buildkite().scheduleCommand("echo two", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 2);
            int polls = h.graphqlPolls();
            // The jobs stay SCHEDULED in Buildkite (no agent runs them), so every poll sees them again.
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 3);
            assertThat(h.jobs()).hasSize(2);
            assertThat(logs.linesContaining("created Job")).hasSize(2);
        }
    }

    @Test
    void jobsSpreadOverThreePagesAreAllScheduledHighestPriorityThenOldestFirst() {
        // One creation worker, so creation order is dispatch order.
        try (ControllerHarness h = new ControllerHarness(
                b -> b.set(Options.GRAPHQL_PAGE_SIZE, 2).set(Options.JOB_CREATION_CONCURRENCY, 1))) {
            List<String> oldestFirst = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                oldestFirst.add(h.buildkite().scheduleCommand("job " + i, "queue=kubernetes"));
            }
            String urgent = h.buildkite().scheduleCommand("urgent", 5, null, "queue=kubernetes");
            List<String> created = Collections.synchronizedList(new ArrayList<>());
            try (Watch ignored = watchCreations(h, created)) {
                h.start();
                await().atMost(ControllerHarness.WAIT).until(() -> created.size() == 6);
            }

            List<String> expected = new ArrayList<>();
            expected.add(urgent);
            expected.addAll(oldestFirst);
            assertThat(created).containsExactlyElementsOf(expected);
            // The first poll read the three pages oldest first: last:2, then before the start cursor twice (a poll
            // before our Jobs were listed reads one job, last:1, and hands on none).
            List<Map<String, Object>> firstPoll = h.buildkite().jobsArguments().stream()
                    .filter(a -> !Integer.valueOf(1).equals(a.get("last")))
                    .toList()
                    .subList(0, 3);
            assertThat(firstPoll).allSatisfy(a -> assertThat(a).containsEntry("last", 2));
            assertThat(firstPoll.get(0)).doesNotContainKey("before");
            assertThat(firstPoll.get(1).get("before")).isNotNull();
            assertThat(firstPoll.get(2).get("before"))
                    .isNotNull()
                    .isNotEqualTo(firstPoll.get(1).get("before"));
        }
    }

    @Test
    void pagingStopsAtThePaginationDepthLimitAndTheNextPollGoesOnPastOurOwnJobs() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(
                        b -> b.set(Options.GRAPHQL_PAGE_SIZE, 1).set(Options.PAGINATION_DEPTH_LIMIT, 2))) {
            List<String> oldestFirst = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                oldestFirst.add(h.buildkite().scheduleCommand("job " + i, "queue=kubernetes"));
            }
            h.start();
            // A poll reads two pages of one job, oldest first, so it starts the two oldest. They stay SCHEDULED here
            // (no agent takes them); the next poll goes on from the cursor past them and starts the two newest.
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 4);

            List<String> createdInOrder = logs.linesContaining("created Job").stream()
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .toList();
            assertThat(createdInOrder.subList(0, 2)).containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, 2));
            assertThat(h.buildkite().jobsArguments())
                    .allSatisfy(a -> assertThat(a).containsEntry("last", 1));
        }
    }

    @Test
    void theUnclusteredQueryAsksForJobsOutsideClusters() {
        try (ControllerHarness h = new ControllerHarness()) {
            h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !h.buildkite().jobsArguments().isEmpty());

            Map<String, Object> args = h.buildkite().jobsArguments().get(0);
            assertThat(args)
                    .containsEntry("clustered", false)
                    .containsEntry("state", List.of("SCHEDULED"))
                    .containsEntry("type", List.of("COMMAND"))
                    .containsEntry("agentQueryRules", List.of("queue=kubernetes"))
                    .containsEntry("order", "RECENTLY_CREATED")
                    .containsKey("last")
                    .doesNotContainKey("cluster");
            FakeBuildkite.RecordedRequest request =
                    h.buildkite().graphqlRequests().get(0);
            assertThat(request.body())
                    .as("only the unclustered operation is sent")
                    .contains("query ScheduledJobs(")
                    .doesNotContain("ScheduledJobsClustered");
        }
    }

    @Test
    void theClusteredQuerySelectsTheClusterByItsNodeId() {
        String cluster = "beefcafe-abbe-baba-abba-deedcedecade";
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.CLUSTER_UUID, cluster))) {
            String inCluster = h.buildkite().scheduleCommand("echo in", 0, cluster, "queue=kubernetes");
            String unclustered = h.buildkite().scheduleCommand("echo out", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 1);

            Map<String, Object> args = h.buildkite().jobsArguments().get(0);
            // base64("Cluster---beefcafe-abbe-baba-abba-deedcedecade")
            assertThat(args)
                    .containsEntry("cluster", "Q2x1c3Rlci0tLWJlZWZjYWZlLWFiYmUtYmFiYS1hYmJhLWRlZWRjZWRlY2FkZQ==");
            assertThat(args.get("clustered")).as("left at the schema default").isEqualTo(true);
            assertThat(h.graphqlPolls()).isPositive();
            assertThat(h.buildkite().graphqlRequests().get(0).body())
                    .as("only the clustered operation is sent")
                    .contains("query ScheduledJobsClustered(")
                    .doesNotContain("query ScheduledJobs(");
            assertThat(jobUuids(h)).containsExactly(inCluster);
            assertThat(h.job(unclustered)).isNull();
        }
    }

    @Test
    void theTokenTravelsAsABearerHeaderAndNowhereElse() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.DEBUG, true))) {
            h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.buildkite().enqueueGraphqlFault(dev.agentstack.sandbox.Fault.status(500));
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 1);

            for (FakeBuildkite.RecordedRequest r : h.buildkite().graphqlRequests()) {
                assertThat(r.header("Authorization")).isEqualTo("Bearer " + ControllerHarness.TOKEN);
                assertThat(r.header("User-Agent")).startsWith("agent-stack-camel/");
                assertThat(r.body()).doesNotContain(ControllerHarness.TOKEN);
                // Exchange headers (timer metadata, our variables) must not leak into the HTTP request.
                assertThat(r.headers().keySet())
                        .noneMatch(k -> k.startsWith("camel") || k.contains("fired") || k.equals("graphqlvariables"));
            }
            assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(ControllerHarness.TOKEN));
        }
    }

    static List<String> jobUuids(ControllerHarness h) {
        return h.jobs().stream()
                .map(j -> j.getMetadata().getLabels().get(JobLabels.JOB_UUID))
                .collect(Collectors.toList());
    }

    static Watch watchCreations(ControllerHarness h, List<String> created) {
        return h.kubernetes()
                .client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(ControllerHarness.NAMESPACE)
                .watch(new Watcher<Job>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                        if (action == Action.ADDED) {
                            created.add(job.getMetadata().getLabels().get(JobLabels.JOB_UUID));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }
}
