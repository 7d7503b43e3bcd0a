package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** A failed poll is one log line and a backoff; the route keeps running and a later poll succeeds. */
class PollFailureTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(Fault.status(500), "http_500"),
                Arguments.of(Fault.status(502), "http_502"),
                Arguments.of(Fault.rateLimited(1), "http_429"),
                Arguments.of(Fault.graphqlErrors("Field 'jobs' doesn't accept argument 'bogus'"), "graphql_errors"),
                Arguments.of(Fault.malformedJson(), "malformed_response"),
                Arguments.of(Fault.delay(Duration.ofSeconds(3)), "timeout"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("faults")
    void aFailedPollIsLoggedOnceAndTheNextPollSucceeds(Fault fault, String reason) {
        try (LogCapture logs = new LogCapture();
                // long enough that a loaded CI machine's answers do not time out; the delay fault outlasts it
                ControllerHarness h =
                        new ControllerHarness(b -> b.set(Options.HTTP_TIMEOUT, Duration.ofMillis(1500)))) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.buildkite().enqueueGraphqlFault(fault);
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            List<String> failures = logs.linesContaining("poll failed");
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0))
                    .startsWith("WARN")
                    .contains("queue kubernetes: poll failed (" + reason + ")")
                    .doesNotContain("Exception\n\tat ");
            assertThat(logs.linesContaining("poll succeeded again after 1 failure(s)"))
                    .hasSize(1);
            assertThat(h.controller().camelContext().getRouteController().getRouteStatus("schedule-jobs-kubernetes"))
                    .isEqualTo(ServiceStatus.Started);
        }
    }

    @Test
    void retryAfterIsHonoured() {
        try (ControllerHarness h = new ControllerHarness()) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.buildkite().enqueueGraphqlFault(Fault.rateLimited(3));
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            List<FakeBuildkite.RecordedRequest> requests = h.buildkite().graphqlRequests();
            Duration gap =
                    Duration.between(requests.get(0).at(), requests.get(1).at());
            // The poll timer ticks every second; the controller must not ask again before Retry-After has passed.
            assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
        }
    }

    @Test
    void aSpentRateLimitIsWaitedOutUntilItsReset() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.buildkite().enqueueGraphqlFault(Fault.rateLimitSpent(3));
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            assertThat(logs.linesContaining("poll failed (http_429)"))
                    .singleElement()
                    .asString()
                    .endsWith("next poll in 3s");
            List<FakeBuildkite.RecordedRequest> requests = h.buildkite().graphqlRequests();
            // Buildkite sends no Retry-After then: RateLimit-Reset says when the window starts again.
            assertThat(Duration.between(requests.get(0).at(), requests.get(1).at()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(2900));
        }
    }

    @Test
    void pollsLeaveTheLastTenthOfTheOrganizationsGraphqlPointsToOtherClientsAndWaitForTheReset() {
        try (LogCapture logs = new LogCapture();
                // The whole window's points may be ours here, so the reserve left to others is what stops the polls.
                ControllerHarness h = new ControllerHarness(
                        b -> b.set(Options.GRAPHQL_PAGE_SIZE, 1).set(Options.GRAPHQL_BUDGET_SHARE, 1.0))) {
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.controller()
                                    .bean("inFlightJobs", InFlightByQueue.class)
                                    .isReady()
                            && h.graphqlPolls() > 0);
            // A point per object answered: 3 for an empty poll, 2 more per job. 100 points, so 10 are reserved.
            h.buildkite().graphqlRateLimit(100, 40, Duration.ofSeconds(8));
            List<String> uuids = List.of(
                    h.buildkite().scheduleCommand("a", "queue=kubernetes"),
                    h.buildkite().scheduleCommand("b", "queue=kubernetes"),
                    h.buildkite().scheduleCommand("c", "queue=kubernetes"));

            await().atMost(ControllerHarness.WAIT)
                    .until(() ->
                            !logs.linesContaining("rate limit is nearly spent").isEmpty());
            String paused = logs.linesContaining("rate limit is nearly spent").get(0);
            int remaining = Integer.parseInt(paused.replaceAll(".*\\((\\d+) of 100 points left\\).*", "$1"));
            assertThat(remaining).isBetween(1, 9); // stopped short of the reserve's end, not at 0
            int reset = Integer.parseInt(paused.replaceAll(".*next poll in (\\d+)s, when it resets.*", "$1"));
            int pollsWhenPaused = h.buildkite().scheduledJobsPolls().size();
            Instant pausedAt =
                    h.buildkite().scheduledJobsPolls().get(pollsWhenPaused - 1).at();

            // The next poll comes once the window has started again, and every job gets its Job.
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> uuids.stream().allMatch(u -> h.job(u) != null)
                            && h.buildkite().scheduledJobsPolls().size() > pollsWhenPaused);
            Instant next =
                    h.buildkite().scheduledJobsPolls().get(pollsWhenPaused).at();
            assertThat(Duration.between(pausedAt, next)).isGreaterThanOrEqualTo(Duration.ofSeconds(reset - 1));
            assertThat(logs.linesContaining("poll failed")).isEmpty(); // never refused: no 429
        }
    }

    /** The backoff shows at debug level; at info an outage is one WARN line when it starts and one when it ends. */
    @Test
    void consecutiveFailuresBackOffAndRecover() {
        Logger monitor = (Logger) LoggerFactory.getLogger("dev.agentstack.monitor");
        Level before = monitor.getLevel();
        monitor.setLevel(Level.DEBUG);
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            for (int i = 0; i < 3; i++) {
                h.buildkite().enqueueGraphqlFault(Fault.status(503));
            }
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            List<String> failures = logs.linesContaining("poll failed (http_503)");
            assertThat(failures)
                    .extracting(l -> l.substring(l.indexOf("next poll in ")))
                    .containsExactly("next poll in 1s", "next poll in 2s", "next poll in 4s");
            assertThat(failures).extracting(l -> l.substring(0, 5)).containsExactly("WARN ", "DEBUG", "DEBUG");
            assertThat(logs.linesContaining("poll succeeded again after 3 failure(s)"))
                    .singleElement()
                    .asString()
                    .startsWith("INFO");
        } finally {
            monitor.setLevel(before);
        }
    }

    @Test
    void aPollWhoseLaterPageFailsStillSchedulesTheJobsOfItsEarlierPages() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(
                        b -> b.set(Options.GRAPHQL_PAGE_SIZE, 1).set(Options.PAGINATION_DEPTH_LIMIT, 3))) {
            h.start();
            // once our Jobs are listed (so no job is held back as not ready) and polls run: three jobs, and the next
            // poll's first page is answered while every later request fails
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.controller()
                                    .bean("inFlightJobs", InFlightByQueue.class)
                                    .isReady()
                            && h.graphqlPolls() > 0);
            String oldest = h.buildkite().scheduleCommand("oldest", "queue=kubernetes");
            String middle = h.buildkite().scheduleCommand("middle", "queue=kubernetes");
            String newest = h.buildkite().scheduleCommand("newest", "queue=kubernetes");
            h.buildkite().enqueueGraphqlFault(Fault.delay(Duration.ZERO));
            for (int i = 0; i < 30; i++) {
                h.buildkite().enqueueGraphqlFault(Fault.status(500));
            }

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(oldest) != null);
            assertThat(h.job(middle)).isNull();
            assertThat(h.job(newest)).isNull();
            assertThat(logs.linesContaining("poll failed").get(0))
                    .contains("queue kubernetes: poll failed on page 2 (http_500)")
                    .contains("scheduling the 1 job(s) of the pages read; next poll in 1s");
        }
    }

    @Test
    void anOrganizationThatDoesNotExistStopsTheControllerWithExitCode2() {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.ORG, "no-such-org"))) {
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.controller().lifecycle().isStopRequested());
            assertThat(h.controller().lifecycle().exitCode()).isEqualTo(2);
            assertThat(h.controller().lifecycle().failure())
                    .isEqualTo("option org: Buildkite organization \"no-such-org\" not found (check the org slug and"
                            + " that the token's GraphQL access covers it)");
            assertThat(logs.linesContaining("no-such-org")).hasSize(1);
        }
    }
}
