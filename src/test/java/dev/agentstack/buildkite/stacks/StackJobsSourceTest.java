package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.JobSourceUnusableException;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.buildkite.ScanPlan;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One stack's polls against the fake Stacks API, without Camel: what each poll reserves and hands on. */
class StackJobsSourceTest {

    private static final String TOKEN = "bkct_source_test_token";
    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql").withAgentToken(TOKEN);

    @AfterEach
    void close() {
        buildkite.close();
    }

    private StackJobsSource source(int pageSize, int depthLimit, Duration queryReset, String token) {
        return source(pageSize, depthLimit, queryReset, token, Duration.ofSeconds(10));
    }

    private StackJobsSource source(int pageSize, int depthLimit, Duration queryReset, String token, Duration timeout) {
        StacksClient client = StacksClient.of(
                buildkite.agentEndpoint(), timeout, "test", new ResponseSizeLimit(1 << 20), () -> token);
        return new StackJobsSource(
                client,
                new StackJobsSource.Settings(
                        "stack",
                        "kubernetes",
                        "kubernetes",
                        List.of("queue=kubernetes", "os=linux"),
                        pageSize,
                        depthLimit,
                        300,
                        1000,
                        queryReset,
                        true),
                Clock.systemUTC());
    }

    private StackJobsSource source() {
        return source(100, 2, Duration.ofSeconds(10), TOKEN);
    }

    private static ScanPlan slots(int free) {
        return new ScanPlan(100, 20, free, null, uuid -> false, null, false);
    }

    /** One poll as the Kamelet runs it. */
    private static StackJobsScan poll(StackJobsSource source, ScanPlan plan) {
        StackJobsScan scan = source.startScan(plan, null);
        while (scan.wantsAnotherPage()) {
            source.readPage(scan);
        }
        source.reserveAndRead(scan);
        return scan;
    }

    private static List<String> uuids(StackJobsScan scan) {
        return scan.jobs().stream().map(BuildkiteJob::uuid).toList();
    }

    @Test
    void aPollReservesOnlyWhatTheFreeSlotsAllowHighestPriorityFirst() {
        String old = buildkite.scheduleCommand("old", "queue=kubernetes");
        String urgent = buildkite.scheduleCommand("urgent", 5, null, "queue=kubernetes");
        buildkite.scheduleCommand("windows", "queue=kubernetes", "os=windows");
        buildkite.scheduleCommand("newer", "queue=kubernetes");

        StackJobsScan scan = poll(source(), slots(2));

        assertThat(uuids(scan)).containsExactly(urgent, old);
        assertThat(buildkite.stacks().reservedIds()).containsExactlyInAnyOrder(urgent, old);
        BuildkiteJob job = scan.jobs().get(0);
        assertThat(job.command()).isEqualTo("urgent");
        assertThat(job.env()).contains("BUILDKITE_COMMAND=urgent");
        assertThat(job.agentQueryRules()).containsExactly("queue=kubernetes");
        assertThat(job.priority()).isEqualTo(5);
    }

    @Test
    void onlyJobsBuildkiteReservedForUsAreHandedOn() {
        String theirs = buildkite.scheduleCommand("theirs", "queue=kubernetes");
        String ours = buildkite.scheduleCommand("ours", "queue=kubernetes");
        StackJobsSource source = source();
        StackJobsScan scan = source.startScan(slots(0), null);
        source.readPage(scan);
        buildkite.stacks().expireReservations();
        // Another stack takes one between our list and our reservation.
        StacksClient other = StacksClient.of(
                buildkite.agentEndpoint(), Duration.ofSeconds(10), "test", new ResponseSizeLimit(1 << 20), () -> TOKEN);
        other.register("other", "kubernetes", null);
        other.reserve("other", List.of(theirs), 300);

        source.reserveAndRead(scan);

        assertThat(uuids(scan)).containsExactly(ours);
    }

    @Test
    void aProbeDoesNotMoveTheNextPollPastTheJobsItSaw() {
        String first = buildkite.scheduleCommand("first", "queue=kubernetes");
        buildkite.scheduleCommand("second", "queue=kubernetes");
        StackJobsSource source = source();

        poll(source, ScanPlan.probe(uuid -> false, null));
        StackJobsScan scan = poll(source, slots(1));

        assertThat(uuids(scan)).containsExactly(first);
    }

    @Test
    void aBacklogDeeperThanTheDepthLimitIsReachedByTheNextPolls() {
        for (int i = 0; i < 4; i++) {
            buildkite.scheduleCommand("not ours " + i, "queue=kubernetes", "os=windows");
        }
        String deep = buildkite.scheduleCommand("deep", "queue=kubernetes");
        StackJobsSource source = source(2, 1, Duration.ofMinutes(10), TOKEN);

        assertThat(uuids(poll(source, slots(0)))).isEmpty();
        assertThat(uuids(poll(source, slots(0)))).isEmpty();
        assertThat(uuids(poll(source, slots(0)))).containsExactly(deep);
    }

    @Test
    void everyPollStartsFromTheFirstPageWithoutAQueryResetInterval() {
        for (int i = 0; i < 4; i++) {
            buildkite.scheduleCommand("not ours " + i, "queue=kubernetes", "os=windows");
        }
        buildkite.scheduleCommand("deep", "queue=kubernetes");
        StackJobsSource source = source(2, 1, Duration.ZERO, TOKEN);

        for (int i = 0; i < 3; i++) {
            assertThat(uuids(poll(source, slots(0)))).isEmpty();
        }
    }

    @Test
    void aReservedJobWhoseDetailsCannotBeReadIsHandedOnByTheNextPollNotLeftToExpire() {
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        StackJobsSource source = source();
        buildkite.stacks().randomFaults(1.0, 1, List.of(Fault.status(502)), Set.of("get-job"));

        assertThat(uuids(poll(source, slots(1)))).isEmpty();
        buildkite.stacks().randomFaults(0, 1, List.of(), Set.of());

        assertThat(uuids(poll(source, slots(1)))).containsExactly(job);
        assertThat(buildkite.stacks().reservedIds()).containsExactly(job, job); // reserved again: the expiry extends
    }

    @Test
    void jobsReservedWhileTheAnswerWasLostAreTakenUpByTheNextPoll() {
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        StackJobsSource source = source(100, 2, Duration.ofSeconds(10), TOKEN, Duration.ofMillis(300));
        buildkite.stacks().randomFaults(1.0, 1, List.of(Fault.delay(Duration.ofSeconds(1))), Set.of("batch-reserve"));

        assertThatThrownBy(() -> poll(source, slots(1))).isInstanceOf(AgentApiException.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> buildkite.stacks().reservedIds().contains(job));
        buildkite.stacks().randomFaults(0, 1, List.of(), Set.of());

        assertThat(uuids(poll(source, slots(1)))).containsExactly(job);
    }

    @Test
    void heldJobsComeBeforeNewOnesWithinTheFreeSlots() {
        String first = buildkite.scheduleCommand("first", "queue=kubernetes");
        StackJobsSource source = source();
        buildkite.stacks().randomFaults(1.0, 1, List.of(Fault.status(500)), Set.of("get-job"));
        poll(source, slots(1));
        buildkite.stacks().randomFaults(0, 1, List.of(), Set.of());
        String second = buildkite.scheduleCommand("second", 9, null, "queue=kubernetes");

        assertThat(uuids(poll(source, slots(1)))).containsExactly(first);
        assertThat(buildkite.stacks().reservedIds()).doesNotContain(second);
    }

    @Test
    void aJobWhoseDetailsFailFiveTimesIsLeftToItsReservationsExpiry() {
        String job = buildkite.scheduleCommand("make", "queue=kubernetes");
        StackJobsSource source = source();
        buildkite.stacks().randomFaults(1.0, 1, List.of(Fault.status(500)), Set.of("get-job"));
        for (int i = 0; i < HeldJobs.MAX_FAILURES; i++) {
            assertThat(uuids(poll(source, slots(1)))).isEmpty();
        }
        buildkite.stacks().randomFaults(0, 1, List.of(), Set.of());

        assertThat(uuids(poll(source, slots(1)))).isEmpty();
        buildkite.stacks().expireReservations();
        assertThat(uuids(poll(source, slots(1)))).containsExactly(job);
    }

    @Test
    void aPausedQueueReservesNothing() {
        buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.stacks().pauseQueue("kubernetes");

        StackJobsScan scan = poll(source(), slots(0));

        assertThat(scan.paused()).isTrue();
        assertThat(scan.jobs()).isEmpty();
        assertThat(buildkite.stacks().reservedIds()).isEmpty();
    }

    @Test
    void aRateLimitedListFailsThePollWithTheWaitItAskedFor() {
        buildkite.stacks().rateLimit("scheduled-jobs", 1);
        StackJobsSource source = source();
        poll(source, slots(0));

        StackJobsScan scan = source.startScan(slots(0), null);
        assertThatThrownBy(() -> source.readPage(scan)).isInstanceOfSatisfying(AgentApiException.class, e -> {
            assertThat(e.isTransient()).isTrue();
            assertThat(e.waitAsked()).isPositive();
        });
    }

    @Test
    void aRefusedTokenMakesTheSourceUnusableAndNamesTheFix() {
        assertThatThrownBy(() -> source(100, 2, Duration.ZERO, "bkct_wrong").startScan(slots(0), null))
                .isInstanceOf(JobSourceUnusableException.class)
                .hasMessageContaining("check the agent token")
                .hasMessageNotContaining("bkct_wrong");
    }

    @Test
    void stoppingDeregistersARegisteredStackOnce() {
        StackJobsSource source = source();
        source.stop();
        poll(source, slots(0));

        source.stop();
        source.stop();

        assertThat(buildkite.stacks().deregisteredStacks()).containsExactly("stack");
    }
}
