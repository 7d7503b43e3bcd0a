package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.buildkite.ScheduledJobsQuery;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the controller costs the organization's GraphQL budget, with FakeBuildkite charging Buildkite's documented
 * actual complexity against 50,000 points per 5 minutes (or 5,000 for a small organization). The figures are in
 * docs/benchmark.md.
 */
class GraphqlPointsTest {

    private static final Duration WINDOW = Duration.ofMinutes(5);

    @Test
    void idleForAMinuteCostsAtMostAHundredthOfTheOrganizationsBudget() {
        try (ControllerHarness h = new ControllerHarness()) {
            h.buildkite().graphqlRateLimit(50_000, 50_000, WINDOW);
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.controller()
                            .bean("inFlightJobs", InFlightByQueue.class)
                            .isReady());
            h.buildkite().clearRecords();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.buildkite().scheduledJobsPolls().size() >= 5);
            int polls = h.buildkite().scheduledJobsPolls().size();
            long points = h.buildkite().graphqlPointsSpent();

            // A poll a second (poll-interval), each its organization, the connection and its empty edges.
            long perMinute = points * 60 / polls;
            assertThat(perMinute).isLessThanOrEqualTo(500);
        }
    }

    @Test
    void twoThousandJobsWaitingWithAHundredSlotsCostTheTwoPagesThatFillThem() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 100))) {
            h.buildkite().graphqlRateLimit(50_000, 50_000, WINDOW);
            schedule(h.buildkite(), 2000);
            h.simulateCluster(Duration.ofHours(1)); // every pod runs; nothing finishes
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 100);
            int polls = h.buildkite().scheduledJobsPolls().size();
            // No free slot: no poll, for as long as we look.
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> h.buildkite().scheduledJobsPolls().size() == polls);

            assertThat(h.jobs()).hasSize(100);
            assertThat(h.buildkite().graphqlPointsSpent()).isLessThanOrEqualTo(1000);
        }
    }

    @Test
    void threeHundredJobsOnASmallBudgetAreAllCreatedWithoutSpendingIt() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            h.buildkite().graphqlRateLimit(5_000, 5_000, WINDOW);
            List<String> uuids = schedule(h.buildkite(), 300);
            h.simulateCluster();
            h.start();

            await().atMost(Duration.ofSeconds(120)).until(() -> uuids.stream().allMatch(u -> h.job(u) != null));

            // The fake answers 429 only once the window's points are all spent, and the window outlasts the test.
            assertThat(h.buildkite().graphqlPointsRemaining()).isGreaterThan(0);
            assertThat(logs.linesContaining("poll failed")).isEmpty();
            assertThat(h.buildkite().graphqlPointsSpent()).isLessThanOrEqualTo(2000);
        }
    }

    @Test
    void aBacklogWithNoLimitCostsAtMostHalfAsMuchAgainAsReadingEachJobOnce() {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_IN_FLIGHT, 0)
                .set(Options.K8S_CLIENT_RATE_LIMITER_QPS, 0))) { // as the benchmark: Jobs as fast as the API takes them
            h.buildkite().graphqlRateLimit(50_000, 50_000, WINDOW);
            List<String> uuids = schedule(h.buildkite(), 2000);
            h.simulateCluster();
            h.start();

            await().atMost(Duration.ofSeconds(180)).until(() -> uuids.stream().allMatch(u -> h.job(u) != null));

            long readingEachOnce = 20L * ScheduledJobsQuery.mostPointsPerPage(100);
            // The polls' points; the cancel checker's (a point per Job whose pod has not started yet, every 5s) depend
            // on how fast the cluster starts pods, and are in docs/benchmark.md.
            double polls = h.controller()
                    .bean("metricsRegistry", MeterRegistry.class)
                    .counter("buildkite.graphql.points.spent", "source", "poll")
                    .count();
            assertThat(polls).isLessThanOrEqualTo(readingEachOnce * 1.5);
        }
    }

    @Test
    void aPollThatCouldPassTheBudgetShareWaitsForTheNextWindowAndSaysSo() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.GRAPHQL_BUDGET_SHARE, 0.05)
                        .set(Options.GRAPHQL_PAGE_SIZE, 10)
                        .set(Options.MAX_IN_FLIGHT, 0)
                        .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(1)))) {
            h.buildkite().graphqlRateLimit(1000, 1000, WINDOW); // 50 points a window are ours
            schedule(h.buildkite(), 100);
            h.start();

            // The cancel checker asks about the created Jobs' states too; its points count against the share (so
            // polls stop sooner) but are not held back: cancellations must still be seen.
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> !logs.linesContaining("holding polls back").isEmpty());
            int checksBeforeHold = cancelChecks(h.buildkite());
            await().atMost(ControllerHarness.WAIT).until(() -> cancelChecks(h.buildkite()) >= checksBeforeHold + 2);

            assertThat(logs.linesContaining("holding polls back").get(0))
                    .contains("of its 50 GraphQL points this window (graphql-budget-share 0.05 of the organization's"
                            + " 1000)");
            assertThat(h.buildkite().graphqlPointsSpentOnPolls()).isPositive().isLessThanOrEqualTo(50);
            assertThat(h.controller()
                            .bean("metricsRegistry", MeterRegistry.class)
                            .counter("buildkite.graphql.polls.held.back", "page", "first")
                            .count())
                    .isPositive();
        }
    }

    private static int cancelChecks(FakeBuildkite buildkite) {
        return buildkite.graphqlRequests().size()
                - buildkite.scheduledJobsPolls().size();
    }

    private static List<String> schedule(FakeBuildkite buildkite, int jobs) {
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            commands.add("echo " + i);
        }
        return buildkite.scheduleCommands(commands, "queue=kubernetes");
    }
}
