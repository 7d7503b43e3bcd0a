package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.buildkite.stacks.StacksClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake Stacks API's soak controls: random faults on chosen endpoints, and its record of reservations. */
class FakeStacksApiTest {

    private static final String TOKEN = "bkct_fake-stacks-token";
    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken(TOKEN);
    private final FakeStacksApi stacks = buildkite.stacks();

    private StacksClient client(Duration timeout) {
        return StacksClient.of(
                buildkite.agentEndpoint(),
                timeout,
                "agent-stack-camel/test",
                new ResponseSizeLimit(1024 * 1024),
                () -> TOKEN);
    }

    @AfterEach
    void close() {
        buildkite.close();
    }

    @Test
    void randomFaultsHitOnlyTheChosenEndpoints() {
        StacksClient client = client(Duration.ofSeconds(10));
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        stacks.randomFaults(1.0, 7, List.of(Fault.status(502)), Set.of("scheduled-jobs"));

        assertThatThrownBy(() -> client.scheduledJobs("s", "kubernetes", 10, null))
                .isInstanceOfSatisfying(
                        AgentApiException.class, e -> assertThat(e.status()).isEqualTo(502));
        assertThat(client.states("s", List.of(job))).containsEntry(job, "scheduled");
        assertThat(stacks.randomFaultsAnswered()).isEqualTo(1);
        assertThat(stacks.randomFaultCandidates()).isEqualTo(1);

        stacks.randomFaults(0, 7, List.of(), Set.of());
        assertThat(client.scheduledJobs("s", "kubernetes", 10, null).jobs()).hasSize(1);
    }

    @Test
    void aReservationTheClientGaveUpWaitingForIsHeldAndRecorded() {
        StacksClient client = client(Duration.ofMillis(200));
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        stacks.randomFaults(1.0, 7, List.of(Fault.delay(Duration.ofSeconds(1))), Set.of("batch-reserve"));

        assertThatThrownBy(() -> client.reserve("s", List.of(job), 60)).isInstanceOf(RuntimeException.class);

        // the fake answers late but reserves all the same, as a server that finished the request would
        await().atMost(Duration.ofSeconds(10)).until(() -> stacks.reservations().size() == 1);
        FakeStacksApi.Reservation r = stacks.reservations().get(0);
        assertThat(r.stackKey()).isEqualTo("s");
        assertThat(r.jobUuid()).isEqualTo(job);
        assertThat(r.until()).isEqualTo(r.at().plusSeconds(60));
        assertThat(client.scheduledJobs("s", "kubernetes", 10, null).jobs()).isEmpty();
    }
}
