package dev.agentstack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.sandbox.FakeBuildkite.JobsRead;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's dispatch clock starts at the first poll that read the whole backlog. */
class SchedulingBenchmarkTest {

    private static final Instant SCHEDULED = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void aPollThatSawOnlyPartOfTheBacklogDoesNotStartTheClock() {
        List<JobsRead> reads = List.of(
                read(SCHEDULED.minusMillis(400), 0),
                read(SCHEDULED.plusMillis(20), 700), // came while the backlog was being scheduled
                read(SCHEDULED.plusMillis(1020), 2000));

        assertThat(SchedulingBenchmark.firstReadOfBacklog(reads, SCHEDULED, 2000))
                .isEqualTo(SCHEDULED.plusMillis(1020));
    }

    @Test
    void aBacklogNoPollReadIsAnError() {
        assertThatThrownBy(() -> SchedulingBenchmark.firstReadOfBacklog(
                        List.of(read(SCHEDULED.plusMillis(5), 10)), SCHEDULED, 2000))
                .hasMessageContaining("no poll read the backlog of 2000");
    }

    private static JobsRead read(Instant at, int count) {
        return new JobsRead(at, Map.of(), count);
    }
}
