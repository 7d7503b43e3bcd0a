package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.testing.LogCapture;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphqlBudgetTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T06:00:00Z"));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @Test
    void anAnswerCostsWhatBuildkiteDocumentsAPointPerObjectTheEdgesOnceAndNoScalars() throws Exception {
        // The documentation's example: organization, pipelines and edges a point each, and a point per node.
        String answer = "{\"organization\":{\"pipelines\":{\"edges\":[{\"cursor\":\"a\",\"node\":{\"slug\":\"x\"}},"
                + "{\"cursor\":\"b\",\"node\":{\"slug\":\"y\"}}]}}}";
        assertThat(GraphqlCost.of(new ObjectMapper().readTree(answer))).isEqualTo(5);
        // A scheduled-jobs page: organization, jobs, edges, and per job its node and priority.
        String page = "{\"organization\":{\"id\":\"o\",\"jobs\":{\"count\":1,\"edges\":[{\"cursor\":\"c\","
                + "\"node\":{\"uuid\":\"u\",\"env\":[\"A=1\"],\"priority\":{\"number\":0}}}]}}}";
        assertThat(GraphqlCost.of(new ObjectMapper().readTree(page)))
                .isEqualTo(ScheduledJobsQuery.mostPointsPerPage(1));
        assertThat(GraphqlCost.of(new ObjectMapper().readTree("{\"job\":null}")))
                .isZero();
    }

    @Test
    void pollsStayWithinTheShareOfTheWindowAndResumeWhenItResets() {
        GraphqlBudget budget = new GraphqlBudget(0.25, clock, metrics);
        assertThat(budget.allowsPoll(10_000)).as("no limit reported yet").isTrue();

        budget.spent("poll", 12_000, new GraphqlRateLimit(50_000, 30_000, Duration.ofSeconds(300)));
        assertThat(budget.shareLeft()).isEqualTo(500);
        assertThat(budget.allowsPoll(500)).isTrue();
        try (LogCapture logs = new LogCapture()) {
            assertThat(budget.allowsPoll(501)).isFalse();
            assertThat(budget.allowsPage(501)).isFalse();
            assertThat(budget.allowsPoll(501)).isFalse();
            assertThat(logs.linesContaining("holding polls back"))
                    .hasSize(1)
                    .first()
                    .asString()
                    .contains("spent 12000 of its 12500")
                    .contains("resume in 5m");
        }
        assertThat(metrics.counter("buildkite.graphql.polls.held.back", "page", "first")
                        .count())
                .isEqualTo(2);
        assertThat(metrics.counter("buildkite.graphql.polls.held.back", "page", "next")
                        .count())
                .isEqualTo(1);

        clock.advance(Duration.ofSeconds(300));
        assertThat(budget.allowsPoll(501)).as("a new window").isTrue();
        budget.spent("poll", 100, new GraphqlRateLimit(50_000, 49_900, Duration.ofSeconds(299)));
        assertThat(budget.shareLeft()).isEqualTo(12_400);
    }

    @Test
    void everyAnswerCountsAndItsSourceIsInTheMetrics() {
        GraphqlBudget budget = new GraphqlBudget(0.25, clock, metrics);
        String states =
                "{\"data\":{\"j0\":{\"id\":\"a\",\"state\":\"RUNNING\"}," + "\"j1\":{\"id\":\"b\",\"state\":\"X\"}}}";
        budget.spent(
                "cancel-checker",
                states,
                Map.of("RateLimit-Limit", "100", "RateLimit-Remaining", "50", "RateLimit-Reset", "60"));
        budget.spent("poll", 20, new GraphqlRateLimit(100, 30, Duration.ofSeconds(59)));

        assertThat(metrics.counter("buildkite.graphql.points.spent", "source", "cancel-checker")
                        .count())
                .isEqualTo(2);
        assertThat(budget.remaining()).isEqualTo(30);
        // 25 of 100 are ours, 22 spent: the cancel checker's points count too
        assertThat(metrics.get("buildkite.graphql.share.points.left").gauge().value())
                .isEqualTo(3);
        assertThat(budget.allowsPoll(4)).isFalse();
    }
}
