package dev.agentstack.scheduling;

import static dev.agentstack.scheduling.InFlightJobs.Reservation.ALREADY_SCHEDULED;
import static dev.agentstack.scheduling.InFlightJobs.Reservation.NOT_READY;
import static dev.agentstack.scheduling.InFlightJobs.Reservation.NO_SLOT;
import static dev.agentstack.scheduling.InFlightJobs.Reservation.RESERVED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightJobsTest {

    private final AtomicLong clock = new AtomicLong(1_000);

    private InFlightJobs ready(int max) {
        InFlightJobs j = new InFlightJobs(max, clock::incrementAndGet);
        j.reconcile(List.of(), j.now());
        return j;
    }

    static Job job(String uuid, String condition) {
        JobBuilder b = new JobBuilder()
                .withNewMetadata()
                .withName("buildkite-" + uuid)
                .addToLabels(JobLabels.JOB_UUID, uuid)
                .endMetadata();
        if (condition != null) {
            b.withNewStatus()
                    .addNewCondition()
                    .withType(condition)
                    .withStatus("True")
                    .endCondition()
                    .endStatus();
        }
        return b.build();
    }

    @Test
    void nothingIsReservedBeforeTheFirstList() {
        InFlightJobs j = new InFlightJobs(5, clock::incrementAndGet);
        assertThat(j.tryReserve("a")).isEqualTo(NOT_READY);
        j.reconcile(List.of(job("x", null)), j.now());
        assertThat(j.inFlight()).isEqualTo(1);
        assertThat(j.tryReserve("a")).isEqualTo(RESERVED);
    }

    @Test
    void aRefusedJobFreesItsSlotAndIsNotTakenUpAgainWhileItIsFailed() {
        InFlightJobs j = ready(1);
        assertThat(j.tryReserve("bad")).isEqualTo(RESERVED);
        j.refused("bad");
        assertThat(j.inFlight()).isZero();
        assertThat(j.tryReserve("bad"))
                .as("a poll before the failure landed")
                .isEqualTo(InFlightJobs.Reservation.BEING_FAILED);
        assertThat(j.tryReserve("good")).isEqualTo(RESERVED);
        clock.addAndGet(InFlightJobs.REFUSED_MEMORY_TTL.toNanos());
        j.release("good");
        assertThat(j.tryReserve("bad"))
                .as("the failure did not land: tried again")
                .isEqualTo(RESERVED);
    }

    @Test
    void theLimitCountsUnfinishedJobsAndCreationsInProgress() {
        InFlightJobs j = ready(2);
        assertThat(j.tryReserve("a")).isEqualTo(RESERVED);
        j.created("a");
        assertThat(j.tryReserve("b")).isEqualTo(RESERVED);
        assertThat(j.tryReserve("c")).isEqualTo(NO_SLOT);
        j.onJobEvent("MODIFIED", job("a", "Complete"));
        assertThat(j.tryReserve("c")).isEqualTo(RESERVED);
        assertThat(j.inFlight()).isEqualTo(2);
    }

    @Test
    void zeroMeansNoLimit() {
        InFlightJobs j = ready(0);
        for (int i = 0; i < 1000; i++) {
            assertThat(j.tryReserve("j" + i)).isEqualTo(RESERVED);
        }
    }

    @Test
    void aJobThatExistsOrIsBeingCreatedIsAlreadyScheduled() {
        InFlightJobs j = ready(5);
        j.tryReserve("a");
        assertThat(j.tryReserve("a")).isEqualTo(ALREADY_SCHEDULED);
        j.created("a");
        assertThat(j.tryReserve("a")).isEqualTo(ALREADY_SCHEDULED);
        j.onJobEvent("MODIFIED", job("a", "Failed"));
        assertThat(j.tryReserve("a")).as("a finished Job still exists").isEqualTo(ALREADY_SCHEDULED);
        j.onJobEvent("DELETED", job("a", "Failed"));
        assertThat(j.tryReserve("a")).as("we created it: never again").isEqualTo(ALREADY_SCHEDULED);
        assertThat(j.inFlight()).isZero();
    }

    @Test
    void aJobAnotherReplicaOrAnEarlierProcessStartedIsNotStartedAgainAfterItsJobIsGone() {
        InFlightJobs standby = ready(5);
        standby.onJobEvent("ADDED", job("by-the-leader", null));
        standby.onJobEvent("DELETED", job("by-the-leader", "Complete"));
        assertThat(standby.tryReserve("by-the-leader")).isEqualTo(ALREADY_SCHEDULED);

        InFlightJobs restarted = new InFlightJobs(5, clock::incrementAndGet);
        restarted.reconcile(List.of(job("before-the-restart", null)), restarted.now());
        restarted.onJobEvent("DELETED", job("before-the-restart", "Complete"));
        assertThat(restarted.tryReserve("before-the-restart")).isEqualTo(ALREADY_SCHEDULED);
        assertThat(restarted.inFlight()).isZero();
    }

    @Test
    void aFailedCreationFreesItsSlot() {
        InFlightJobs j = ready(1);
        j.tryReserve("a");
        assertThat(j.tryReserve("b")).isEqualTo(NO_SLOT);
        j.release("a");
        assertThat(j.tryReserve("b")).isEqualTo(RESERVED);
        assertThat(j.tryReserve("a"))
                .as("a job whose creation failed may be tried again")
                .isEqualTo(NO_SLOT);
    }

    @Test
    void onlyTrueCompleteOrFailedConditionsFinishAJob() {
        Job pending = new JobBuilder(job("a", null))
                .editStatus()
                .addNewCondition()
                .withType("Complete")
                .withStatus("False")
                .endCondition()
                .endStatus()
                .build();
        assertThat(InFlightJobs.isFinished(pending)).isFalse();
        assertThat(InFlightJobs.isFinished(job("a", "Complete"))).isTrue();
        assertThat(InFlightJobs.isFinished(job("a", "Failed"))).isTrue();
        assertThat(InFlightJobs.isFinished(job("a", "Suspended"))).isFalse();
    }

    @Test
    void aListCorrectsMissedEventsButNotNewerOnes() {
        InFlightJobs j = ready(10);
        j.onJobEvent("ADDED", job("a", null));
        j.onJobEvent("ADDED", job("b", null));
        long listStart = j.now();
        j.tryReserve("c");
        j.created("c"); // created after the list started: the list cannot know it
        j.onJobEvent("MODIFIED", job("d", null));
        // The list says: a finished (missed event), b gone (missed delete), e exists (missed add), d unfinished.
        j.reconcile(List.of(job("a", "Complete"), job("e", null)), listStart);
        assertThat(j.inFlight()).as("c, d, e").isEqualTo(3);
        assertThat(j.knownJobs()).as("a, c, d, e").isEqualTo(4);
    }

    @Test
    void concurrentSchedulingNeverExceedsTheLimit() throws Exception {
        int max = 7;
        InFlightJobs j = ready(max);
        AtomicInteger overshoot = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        ConcurrentLinkedQueue<String> running = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            int thread = t;
            pool.submit(() -> {
                Random random = new Random(thread);
                try {
                    for (int i = 0; i < 2000; i++) {
                        String uuid = "t" + thread + "-" + i;
                        if (j.tryReserve(uuid) == RESERVED) {
                            if (random.nextInt(10) == 0) {
                                j.release(uuid);
                            } else {
                                j.created(uuid);
                                created.incrementAndGet();
                                running.add(uuid);
                            }
                        }
                        if (j.inFlight() > max) {
                            overshoot.incrementAndGet();
                        }
                        String finished = random.nextBoolean() ? running.poll() : null;
                        if (finished != null) {
                            j.onJobEvent(random.nextBoolean() ? "MODIFIED" : "DELETED", job(finished, "Complete"));
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(overshoot.get()).isZero();
        assertThat(j.highWater()).isLessThanOrEqualTo(max);
        assertThat(created.get()).isPositive();
        List<String> left = new ArrayList<>(running);
        assertThat(j.inFlight()).isEqualTo(left.size());
    }
}
