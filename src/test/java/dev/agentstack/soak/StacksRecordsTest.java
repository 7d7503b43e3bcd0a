package dev.agentstack.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.sandbox.FakeStacksApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The soak's Stacks API checks, on records made up here. */
class StacksRecordsTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static FakeStacksApi.Reservation reserved(String stack, String uuid, int atSecond, int forSeconds) {
        return new FakeStacksApi.Reservation(
                stack, uuid, T.plusSeconds(atSecond), T.plusSeconds(atSecond + forSeconds));
    }

    private static List<Long> storedAtSecond(int second) {
        return List.of(T.plusSeconds(second).toEpochMilli());
    }

    @Test
    void aJobReservedByOurStackBeforeItsJobWasStoredPasses() {
        StacksRecords r = StacksRecords.check(
                List.of(reserved("ours", "a", 1, 30)),
                Set.of("ours"),
                List.of(),
                Map.of("job-a", storedAtSecond(2)),
                Map.of("job-a", "a"));

        assertThat(r).isEqualTo(new StacksRecords(0, 0, 0, List.of()));
    }

    @Test
    void aJobReservedOnlyLaterOrByAnotherStackIsUnreserved() {
        StacksRecords r = StacksRecords.check(
                List.of(reserved("ours", "a", 5, 30), reserved("theirs", "b", 1, 30)),
                Set.of("ours"),
                List.of(),
                Map.of("job-a", storedAtSecond(2), "job-b", storedAtSecond(2)),
                Map.of("job-a", "a", "job-b", "b"));

        assertThat(r.unreserved()).isEqualTo(2);
        assertThat(r.findings()).hasSize(2);
    }

    @Test
    void aJobStoredAfterItsReservationExpiredIsLapsedAndAFinishedValidJobIsCounted() {
        StacksRecords r = StacksRecords.check(
                List.of(reserved("ours", "a", 1, 30)),
                Set.of("ours"),
                List.of(new FakeStacksApi.Finish("ours", "a", -1, "gave up", "stack_error")),
                Map.of("job-a", storedAtSecond(40)),
                Map.of("job-a", "a"));

        assertThat(r.unreserved()).isZero();
        assertThat(r.lapsed()).isEqualTo(1);
        assertThat(r.finishedValid()).isEqualTo(1);
    }
}
