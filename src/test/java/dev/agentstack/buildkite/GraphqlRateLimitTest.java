package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphqlRateLimitTest {

    @Test
    void readsBuildkitesRateLimitHeadersWhateverTheirCase() {
        assertThat(GraphqlRateLimit.of(
                        Map.of("ratelimit-limit", "50000", "RateLimit-Remaining", "4200", "RATELIMIT-RESET", "42")))
                .isEqualTo(new GraphqlRateLimit(50_000, 4200, Duration.ofSeconds(42)));
    }

    @Test
    void anAnswerWithoutThemOrWithUnreadableOnesReportsNoLimit() {
        assertThat(GraphqlRateLimit.of(Map.of())).isNull();
        assertThat(GraphqlRateLimit.of(null)).isNull();
        assertThat(GraphqlRateLimit.of(
                        Map.of("RateLimit-Limit", "50000", "RateLimit-Remaining", "lots", "RateLimit-Reset", "42")))
                .isNull();
        assertThat(GraphqlRateLimit.of(Map.of("RateLimit-Remaining", "10", "RateLimit-Reset", "42")))
                .isNull();
    }

    @Test
    void isNearlySpentBelowTheShareLeftToOtherClients() {
        assertThat(new GraphqlRateLimit(50_000, 5_000, Duration.ZERO).nearlySpent())
                .isFalse();
        assertThat(new GraphqlRateLimit(50_000, 4_999, Duration.ZERO).nearlySpent())
                .isTrue();
        assertThat(new GraphqlRateLimit(50_000, 0, Duration.ZERO).nearlySpent()).isTrue();
    }

    @Test
    void aScanReadsNoFurtherPageOnceAnAnswerSaysThePointsAreNearlySpent() {
        ScheduledJobsQuery query = new ScheduledJobsQuery("acme", "kubernetes", "", 1, 20, Clock.systemUTC());
        String page = "{\"data\":{\"organization\":{\"id\":\"o\",\"jobs\":{\"count\":3,\"edges\":[{\"cursor\":\"%2$s\","
                + "\"node\":{\"uuid\":\"%1$s\",\"agentQueryRules\":[\"queue=kubernetes\"]}}]}}}}";
        ScheduledJobsScan scan = query.startScan();

        query.addPage(
                scan,
                page.formatted("a", "c1"),
                Map.of("RateLimit-Limit", "1000", "RateLimit-Remaining", "100", "RateLimit-Reset", "60"));
        assertThat(scan.wantsAnotherPage()).isTrue();
        query.addPage(
                scan,
                page.formatted("b", "c2"),
                Map.of("RateLimit-Limit", "1000", "RateLimit-Remaining", "99", "RateLimit-Reset", "59"));
        assertThat(scan.wantsAnotherPage()).isFalse();
        assertThat(scan.jobs()).extracting(BuildkiteJob::uuid).containsExactly("a", "b");
        assertThat(scan.rateLimit()).isEqualTo(new GraphqlRateLimit(1000, 99, Duration.ofSeconds(59)));
    }
}
