package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's in-memory sets stay bounded however many jobs pass through: Jobs known only while the API server
 * has them (a missed deletion is dropped by the next reconcile), created jobs remembered up to a bound and a time.
 */
class InFlightMemoryBoundsTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void createdJobsAreRememberedUpToTheBoundAndForAWhile() {
        InFlightJobs inFlight = ready(new InFlightJobs(0, nanos::get));
        int jobs = 3 * InFlightJobs.CREATED_MEMORY;
        for (int i = 0; i < jobs; i++) {
            String uuid = "uuid-" + i;
            assertThat(inFlight.tryReserve(uuid)).isEqualTo(InFlightJobs.Reservation.RESERVED);
            inFlight.created(uuid);
            inFlight.onJobEvent("DELETED", job(uuid));
        }
        assertThat(inFlight.knownJobs()).isZero();
        assertThat(inFlight.inFlight()).isZero();
        assertThat(inFlight.rememberedCreations()).isEqualTo(InFlightJobs.CREATED_MEMORY);
        assertThat(inFlight.tryReserve("uuid-" + (jobs - 1)))
                .as("recent: still known as created")
                .isEqualTo(InFlightJobs.Reservation.ALREADY_SCHEDULED);

        nanos.addAndGet(InFlightJobs.CREATED_MEMORY_TTL.toNanos());
        assertThat(inFlight.rememberedCreations()).isZero();
    }

    @Test
    void refusedJobsAreRememberedUpToTheBoundAndForAWhile() {
        InFlightJobs inFlight = ready(new InFlightJobs(0, nanos::get));
        int jobs = 3 * InFlightJobs.REFUSED_MEMORY;
        for (int i = 0; i < jobs; i++) {
            String uuid = "uuid-" + i;
            assertThat(inFlight.tryReserve(uuid)).isEqualTo(InFlightJobs.Reservation.RESERVED);
            inFlight.refused(uuid);
        }
        assertThat(inFlight.inFlight()).isZero();
        assertThat(inFlight.rememberedRefusals()).isEqualTo(InFlightJobs.REFUSED_MEMORY);
        nanos.addAndGet(InFlightJobs.REFUSED_MEMORY_TTL.toNanos());
        assertThat(inFlight.rememberedRefusals()).isZero();
    }

    @Test
    void jobsWhoseDeletionWasMissedAreDroppedByTheNextReconcile() {
        InFlightJobs inFlight = ready(new InFlightJobs(0, nanos::get));
        for (int i = 0; i < 100_000; i++) {
            nanos.incrementAndGet();
            inFlight.onJobEvent("ADDED", job("uuid-" + i));
        }
        assertThat(inFlight.knownJobs()).isEqualTo(100_000);
        nanos.incrementAndGet();
        inFlight.reconcile(List.of(job("still-there")), inFlight.now());
        assertThat(inFlight.knownJobs()).isEqualTo(1);
        assertThat(inFlight.inFlight()).isEqualTo(1);
    }

    private InFlightJobs ready(InFlightJobs inFlight) {
        inFlight.reconcile(List.of(), inFlight.now());
        return inFlight;
    }

    private static Job job(String uuid) {
        return new JobBuilder()
                .withNewMetadata()
                .withName("buildkite-" + uuid)
                .addToLabels(JobLabels.JOB_UUID, uuid)
                .endMetadata()
                .build();
    }
}
