package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.FakeStacksApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Stacks API client against the fake's wire format, over real HTTP. */
class StacksClientTest {

    private static final String TOKEN = "bkct_secret-agent-token";
    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken(TOKEN);
    private final FakeStacksApi stacks = buildkite.stacks();
    private final StacksClient client = client(TOKEN);

    private StacksClient client(String token) {
        return StacksClient.of(
                buildkite.agentEndpoint(),
                Duration.ofSeconds(10),
                "agent-stack-camel/test",
                new ResponseSizeLimit(1024 * 1024),
                () -> token);
    }

    @AfterEach
    void close() {
        buildkite.close();
    }

    @Test
    void tokenSaysWhichClusterTheAgentTokenBelongsTo() {
        TokenInfo info = client.token();
        assertThat(info.clusterUuid()).isEqualTo(stacks.clusterUuid());
        assertThat(info.isClusterToken()).isTrue();
    }

    @Test
    void registerSendsTheDocumentedRequestAndIsIdempotent() {
        RegisteredStack stack = client.register("my-stack", "kubernetes", Map.of());
        client.register("my-stack", "kubernetes", null);

        assertThat(stack.key()).isEqualTo("my-stack");
        assertThat(stack.clusterQueueKey()).isEqualTo("kubernetes");
        assertThat(stack.state()).isEqualTo("connected");
        assertThat(stacks.registeredStacks())
                .extracting(FakeStacksApi.Stack::metadata)
                .containsExactly(Map.of(), Map.of());
        FakeBuildkite.RecordedRequest sent = buildkite.requests().get(0);
        assertThat(sent.path()).isEqualTo("/v3/stacks/register");
        assertThat(sent.header("Authorization")).isEqualTo("Token " + TOKEN);
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).isEqualTo("application/json");
        assertThat(sent.body()).contains("\"type\":\"kubernetes\"").contains("\"metadata\":{}");
    }

    @Test
    void scheduledJobsPageOldestFirstWithACursor() {
        client.register("s", "kubernetes", Map.of());
        String first = buildkite.scheduleCommand("one", 3, null, "queue=kubernetes");
        String second = buildkite.scheduleCommand("two", "queue=kubernetes");
        buildkite.scheduleCommand("elsewhere", "queue=other");
        String third = buildkite.scheduleCommand("three", "queue=kubernetes");

        ScheduledJobsPage page1 = client.scheduledJobs("s", "kubernetes", 2, null);
        ScheduledJobsPage page2 = client.scheduledJobs("s", "kubernetes", 2, page1.endCursor());

        assertThat(page1.jobs()).extracting(ScheduledJobsPage.ScheduledJob::id).containsExactly(first, second);
        assertThat(page1.jobs().get(0).priority()).isEqualTo(3);
        assertThat(page1.jobs().get(0).agentQueryRules()).containsExactly("queue=kubernetes");
        assertThat(page1.jobs().get(0).scheduledAt()).isNotNull();
        assertThat(page1.hasNextPage()).isTrue();
        assertThat(page2.jobs()).extracting(ScheduledJobsPage.ScheduledJob::id).containsExactly(third);
        assertThat(page2.hasNextPage()).isFalse();
        assertThat(page1.paused()).isFalse();
        assertThat(buildkite.requests().get(1).query()).isEqualTo("queue_key=kubernetes&limit=2");
    }

    @Test
    void aPausedQueueIsReported() {
        client.register("s", "kubernetes", Map.of());
        stacks.pauseQueue("kubernetes");
        assertThat(client.scheduledJobs("s", "kubernetes", 10, null).paused()).isTrue();
    }

    @Test
    void reservedJobsAreHiddenFromOtherStacksUntilTheReservationExpires() {
        client.register("s", "kubernetes", Map.of());
        client.register("other", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");

        Reservation mine = client.reserve("s", List.of(job, "00000000-0000-0000-0000-000000000000"), 300);
        Reservation theirs = client.reserve("other", List.of(job), 0);

        assertThat(mine.reserved()).containsExactly(job);
        assertThat(mine.notReserved()).containsExactly("00000000-0000-0000-0000-000000000000");
        assertThat(theirs.reserved()).isEmpty();
        assertThat(client.scheduledJobs("s", "kubernetes", 10, null).jobs()).isEmpty();
        assertThat(client.states("s", List.of(job))).containsEntry(job, "reserved");
        assertThat(buildkite.requests().get(2).body()).contains("\"reservation_expiry_seconds\":300");
        assertThat(buildkite.requests().get(3).body()).doesNotContain("reservation_expiry_seconds");

        stacks.expireReservations();
        assertThat(client.scheduledJobs("s", "kubernetes", 10, null).jobs()).hasSize(1);
        assertThat(stacks.reservedIds()).containsExactly(job);
    }

    @Test
    void aJobsDetailsCarryItsCommandAndEnvWithThePlugins() {
        client.register("s", "kubernetes", Map.of());
        String uuid = "11111111-2222-3333-4444-555555555555";
        buildkite.addJob(
                new BuildkiteJob(
                        null,
                        uuid,
                        "make test",
                        List.of("queue=kubernetes"),
                        0,
                        null,
                        List.of(
                                "BUILDKITE_PLUGINS=[{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":{}}]",
                                "BUILDKITE_BRANCH=main")),
                "make",
                null);

        StackJob job = client.job("s", uuid);

        assertThat(job.command()).isEqualTo("make test");
        assertThat(job.env())
                .containsEntry("BUILDKITE_BRANCH", "main")
                .containsEntry(
                        "BUILDKITE_PLUGINS", "[{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":{}}]");
        assertThat(job.toString()).doesNotContain("main");
        assertThatThrownBy(() -> client.job("s", "00000000-0000-0000-0000-000000000000"))
                .isInstanceOfSatisfying(
                        AgentApiException.class,
                        e -> assertThat(e.isPermanent()).isTrue());
    }

    @Test
    void statesOfUnknownJobsAreEmpty() {
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.setState(job, "RUNNING");

        assertThat(client.states("s", List.of(job, "unknown")))
                .containsExactly(Map.entry(job, "running"), Map.entry("unknown", ""));
    }

    @Test
    void finishSendsTheExitStatusAndACroppedDetailOnce() {
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        String longDetail = "x".repeat(5000);

        client.finish("s", job, -1, longDetail, "stack_error");

        FakeStacksApi.Finish finish = stacks.finishes().get(0);
        assertThat(finish.exitStatus()).isEqualTo(-1);
        assertThat(finish.signalReason()).isEqualTo("stack_error");
        assertThat(finish.detail().getBytes(StandardCharsets.UTF_8)).hasSize(4096);
        assertThat(finish.detail()).endsWith("\u2026 (Message was cropped because it exceeded the max size)");
        assertThat(buildkite.state(job)).isEqualTo("FINISHED");
        assertThatThrownBy(() -> client.finish("s", job, 0, "again", null))
                .isInstanceOfSatisfying(AgentApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.isPermanent()).isTrue();
                });
    }

    @Test
    void exitStatusZeroIsSentNotOmitted() {
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        client.finish("s", job, 0, "done", null);
        assertThat(stacks.finishes().get(0).exitStatus()).isZero();
        assertThat(buildkite.requests().get(1).body())
                .contains("\"exit_status\":0")
                .doesNotContain("signal_reason");
    }

    @Test
    void notificationsReportTheRefusedItemsByIndex() {
        client.register("s", "kubernetes", Map.of());
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");

        List<NotificationError> errors = client.notify(
                "s",
                List.of(
                        new Notification(job, "Pod starting", null),
                        new Notification(job, "", null),
                        new Notification(job, "later", Instant.now().plusSeconds(3600)),
                        new Notification(job, "y".repeat(400), null)));

        assertThat(errors)
                .containsExactly(
                        new NotificationError("detail is required", List.of(1)),
                        new NotificationError("timestamp cannot be in the future", List.of(2)));
        assertThat(stacks.notifications())
                .extracting(FakeStacksApi.Received::detail)
                .containsExactly("Pod starting", "y".repeat(242) + "\u2026 (cropped)");
        assertThatThrownBy(
                        () -> client.notify("s", java.util.Collections.nCopies(1001, new Notification(job, "x", null))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deregisterEndsTheStack() {
        client.register("s", "kubernetes", Map.of());
        client.deregister("s");
        assertThat(stacks.deregisteredStacks()).containsExactly("s");
        assertThatThrownBy(() -> client.scheduledJobs("s", "kubernetes", 10, null))
                .isInstanceOfSatisfying(
                        AgentApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aRateLimitedEndpointIsNotReadyUntilRetryAfterWhileOthersAre() {
        client.register("s", "kubernetes", Map.of());
        stacks.rateLimit("scheduled-jobs", 1);
        Instant before = Instant.now();
        client.scheduledJobs("s", "kubernetes", 10, null);
        assertThat(client.lastRateLimit(StacksEndpoint.LIST).limit()).isEqualTo(1);
        assertThat(client.lastRateLimit(StacksEndpoint.LIST).remaining()).isZero();

        assertThatThrownBy(() -> client.scheduledJobs("s", "kubernetes", 10, null))
                .isInstanceOfSatisfying(AgentApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.isTransient()).isTrue();
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.waitAsked()).isPositive();
                });
        assertThat(client.isReady(StacksEndpoint.LIST)).isFalse();
        assertThat(client.readyAt(StacksEndpoint.LIST)).isAfterOrEqualTo(before.plusSeconds(1));
        assertThat(client.isReady(StacksEndpoint.RESERVE)).isTrue();
    }

    @Test
    void aWrongTokenIsPermanentAndTheTokenIsNeverShown() {
        StacksClient wrong = client("bkct_wrong-token");
        assertThatThrownBy(() -> wrong.register("s", "kubernetes", Map.of()))
                .isInstanceOfSatisfying(AgentApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.getMessage()).doesNotContain("wrong-token");
                });
        assertThat(wrong.toString()).doesNotContain("wrong-token");
    }
}
