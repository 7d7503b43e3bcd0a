package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.scheduling.PollGate;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.FreePort;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Liveness goes down when a poll loop stops ticking, and only then: not on a standby, not while backing off. */
class PollLoopLivenessTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PollBackoff backoff =
            new PollBackoff(Duration.ofSeconds(1), clock, new SimpleMeterRegistry(), Tags.of("queue", "kubernetes"));

    @Test
    void aLoopThatStopsTickingIsReportedAfterThirtySecondsAtLeast() {
        PollGate gate = new PollGate(backoff, () -> false, message -> {});
        assertThat(gate.isPollDue()).isTrue();
        clock.advance(Duration.ofSeconds(30));
        assertThat(backoff.stallProblem())
                .as("3 x poll-interval is below the 30s floor")
                .isNull();
        clock.advance(Duration.ofSeconds(2));
        assertThat(backoff.stallProblem()).isEqualTo("queue kubernetes: no poll tick has finished for 32s (limit 30s)");
        backoff.recordFailure(new IllegalStateException("boom"), null);
        assertThat(backoff.stallProblem())
                .as("a finished poll, even a failed one, is a tick")
                .isNull();
    }

    @Test
    void aStandbyThatNeverPollsStaysLive() {
        PollGate standby = new PollGate(backoff, () -> true, message -> {});
        for (int tick = 0; tick < 120; tick++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(standby.isPollDue()).isFalse();
        }
        assertThat(backoff.stallProblem()).isNull();
    }

    @Test
    void theBackoffInForceExtendsTheLimit() {
        backoff.recordFailure(
                new org.apache.camel.http.base.HttpOperationFailedException(
                        "https://graphql", 429, "Too Many Requests", null, java.util.Map.of("Retry-After", "50"), ""),
                null);
        clock.advance(Duration.ofSeconds(80));
        assertThat(backoff.stallProblem()).as("no poll was due for 50s of it").isNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(backoff.stallProblem())
                .isEqualTo("queue kubernetes: no poll tick has finished for 1m21s (limit 1m20s)");
    }

    @Test
    void liveGoesDownWhenThePollRouteStops() throws Exception {
        int port = FreePort.find();
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MANAGEMENT_PORT, port))) {
            h.buildkite().enqueueGraphqlFault(Fault.status(500));
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() > 0);
            assertThat(live(port).statusCode()).isEqualTo(200);
            // What an Error on the timer's thread amounts to: no tick ever finishes again. The timer is the source
            // Kamelet's route, which the queue's schedule-jobs route consumes from.
            var context = h.controller().camelContext();
            for (var route : context.getRoutes()) {
                if (route.getRouteId().startsWith("buildkite-scheduled-jobs-source")) {
                    context.getRouteController().stopRoute(route.getRouteId());
                }
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> live(port).statusCode() == 503);
            assertThat(live(port).body()).contains("no poll tick has finished for");
        }
    }

    private static HttpResponse<String> live(int port) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/observe/health/live?data=true"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
