package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** How many jobs a cancel check asks Buildkite about, and which: what a backlog of pending pods spends of GraphQL. */
class CancelCandidatesTest {

    @Test
    void aCheckAsksAboutTwentyJobsPerSecondOfItsInterval() {
        assertThat(new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5)).perCheck())
                .isEqualTo(100);
        assertThat(new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(1)).perCheck())
                .isEqualTo(20);
        assertThat(new CancelCandidates(new SimpleMeterRegistry(), Duration.ofMinutes(1)).perCheck())
                .isEqualTo(1200);
    }

    @Test
    void withMoreJobsWaitingThanOneCheckMayAskAboutEachIsAskedAboutInTurn() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5));
        for (int i = 0; i < 250; i++) {
            candidates.onJobEvent("ADDED", job(String.format("uuid-%03d", i)));
        }

        List<String> first = asked(candidates);
        List<String> second = asked(candidates);
        List<String> third = asked(candidates);
        assertThat(first).hasSize(100);
        assertThat(second).hasSize(100).doesNotContainAnyElementsOf(first);
        assertThat(third).hasSize(100);
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        all.addAll(third);
        assertThat(all).as("every waiting job within three checks").hasSize(250);
        assertThat(third).as("then the least recently asked").containsAll(first.subList(0, 50));
    }

    @Test
    void aSteadyStreamOfNewJobsDoesNotKeepTheOlderOnesFromBeingAsked() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(1));
        candidates.onJobEvent("ADDED", job("old"));
        asked(candidates);
        int next = 0;
        Set<Integer> checksThatAskedTheOldJob = new HashSet<>();
        for (int check = 0; check < 10; check++) {
            for (int i = 0; i < 20; i++) { // as many new jobs per interval as one check may ask about
                candidates.onJobEvent("ADDED", job("new-" + next++));
            }
            candidates.onJobEvent("MODIFIED", job("old")); // an event keeps its turn
            if (asked(candidates).contains("old")) {
                checksThatAskedTheOldJob.add(check);
            }
        }
        assertThat(checksThatAskedTheOldJob)
                .as("asked again, not starved by the new ones")
                .isNotEmpty();
    }

    @Test
    void aNewJobTakesItsTurnAfterThoseAskedBeforeItCame() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(1));
        for (int i = 0; i < 30; i++) {
            candidates.onJobEvent("ADDED", job(String.format("old-%02d", i)));
        }
        List<String> first = asked(candidates); // old-00..old-19
        candidates.onJobEvent("ADDED", job("new"));

        List<String> second = asked(candidates);
        assertThat(second)
                .hasSize(20)
                .containsAll(List.of("old-20", "old-29"))
                .contains("new")
                .doesNotContainAnyElementsOf(first.subList(10, 20));
    }

    @Test
    void jobsWithARunningPodAreNotAskedAbout() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5));
        candidates.onJobEvent("ADDED", job("running"));
        candidates.onJobEvent("ADDED", job("pending"));
        candidates.onPodEvent("MODIFIED", pod("running", "Running"));
        candidates.onPodEvent("MODIFIED", pod("pending", "Pending"));

        assertThat(candidates.batches()).containsExactly(List.of("pending"));
    }

    @Test
    void oneCheckOfManyJobsIsSplitIntoRequestsOfAtMostFiveHundred() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofMinutes(1));
        for (int i = 0; i < 1100; i++) {
            candidates.onJobEvent("ADDED", job("uuid-" + i));
        }
        assertThat(candidates.batches()).extracting(List::size).containsExactly(500, 500, 100);
    }

    @Test
    void afterARateLimitedCheckNoCheckIsMadeUntilTheWaitBuildkiteAskedForIsOver() {
        AtomicLong nanos = new AtomicLong();
        CancelCandidates candidates =
                new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5), nanos::get);
        candidates.onJobEvent("ADDED", job("pending"));

        assertThat(candidates.checkFailed(
                        new HttpOperationFailedException(
                                "https://graphql.buildkite.com/v1",
                                429,
                                "Too Many Requests",
                                null,
                                Map.of("RateLimit-Remaining", "0", "RateLimit-Reset", "30"),
                                "{}"),
                        List.of("pending")))
                .isEqualTo("next check in 30s, as Buildkite asked");
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(candidates.batches()).isEmpty();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(candidates.batches()).containsExactly(List.of("pending"));
    }

    @Test
    void afterARateLimitedRequestTheCheckSendsNoMoreAndItsJobsGoFirstNextTime() {
        AtomicLong nanos = new AtomicLong();
        // 600 jobs per check, in requests of 500 and 100, out of 1,100 waiting
        CancelCandidates candidates =
                new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(30), nanos::get);
        for (int i = 0; i < 1100; i++) {
            candidates.onJobEvent("ADDED", job(String.format("uuid-%04d", i)));
        }
        List<List<String>> batches = candidates.batches();
        assertThat(batches).extracting(List::size).containsExactly(500, 100);
        assertThat(candidates.holdBack(batches.get(0)))
                .as("nothing asked us to wait yet")
                .isFalse();

        candidates.checkFailed(
                new HttpOperationFailedException(
                        "https://graphql.buildkite.com/v1",
                        429,
                        "Too Many Requests",
                        null,
                        Map.of("Retry-After", "10"),
                        "{}"),
                batches.get(0));
        assertThat(candidates.holdBack(batches.get(1))).isTrue();

        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        List<String> next = asked(candidates);
        assertThat(next)
                .as("the refused and the held-back jobs, before those never asked about")
                .containsExactlyInAnyOrderElementsOf(concat(batches.get(0), batches.get(1)));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aFailedCheckWithoutAnAskedWaitIsTriedAgainNextInterval() {
        CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5));
        candidates.onJobEvent("ADDED", job("pending"));

        assertThat(candidates.checkFailed(
                        new HttpOperationFailedException(
                                "https://graphql.buildkite.com/v1", 502, "Bad Gateway", null, Map.of(), ""),
                        List.of("pending")))
                .isEqualTo("trying again next interval");
        assertThat(candidates.batches()).containsExactly(List.of("pending"));
    }

    private static List<String> asked(CancelCandidates candidates) {
        List<String> uuids = new ArrayList<>();
        candidates.batches().forEach(uuids::addAll);
        return uuids;
    }

    /** A Job of ours for the job {@code uuid}, as the Job watch delivers it (also used by WatchMemoryBoundsTest). */
    static Job job(String uuid) {
        return new JobBuilder()
                .withNewMetadata()
                .withName("buildkite-" + uuid)
                .addToLabels(JobLabels.JOB_UUID, uuid)
                .endMetadata()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String uuid, String phase) {
        return new PodBuilder()
                .withNewMetadata()
                .addToLabels(JobLabels.JOB_UUID, uuid)
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build();
    }
}
