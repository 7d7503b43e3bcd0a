package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.ScheduledJobsQuery;
import dev.agentstack.buildkite.ScheduledJobsScan;
import dev.agentstack.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class JobCreationsTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final InFlightJobs inFlight = new InFlightJobs(1, nanos::incrementAndGet);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobCreations creations =
            new JobCreations(inFlight, 1, "buildkite-", Duration.ofMinutes(1), Clock.systemUTC(), registry);
    private final ScheduledJobsQuery query = ScheduledJobsQuery.forQueue("acme", "kubernetes", "", 100, 1);

    private static BuildkiteJob buildkiteJob(String uuid) {
        return new BuildkiteJob(null, uuid, "echo", List.of("queue=kubernetes"), 0, null, List.of());
    }

    /**
     * Seen in MultiQueueRouteTest under load: the first list of our Jobs completed while the first poll's jobs were
     * being handed on, so the second job of a queue with one slot took it ahead of the first.
     */
    @Test
    void aPollThatStartedBeforeTheFirstListTakesNoSlotEvenIfTheListCompletesMeanwhile() {
        ScheduledJobsScan first = query.startScan();
        assertThat(creations.reserve(buildkiteJob("train-1"), first))
                .as("our Jobs are not listed yet")
                .isFalse();

        inFlight.reconcile(List.of(), inFlight.now());

        assertThat(creations.reserve(buildkiteJob("train-2"), first))
                .as("same poll: not ahead of train-1")
                .isFalse();
        ScheduledJobsScan next = query.startScan();
        assertThat(creations.reserve(buildkiteJob("train-1"), next))
                .as("the next poll, in order")
                .isTrue();
        assertThat(creations.reserve(buildkiteJob("train-2"), next))
                .as("one slot")
                .isFalse();
        assertThat(registry.get("buildkite.limiter.jobs.held.back")
                        .tag("reason", "not_ready")
                        .counter()
                        .count())
                .isEqualTo(2.0);
    }

    @Test
    void aPollCouldStartNothingOnlyOnceOurJobsAreListedAndEverySlotIsTaken() {
        assertThat(creations.pollWouldStartNothing())
                .as("not listed yet: poll, so a wrong org or token shows")
                .isFalse();
        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.pollWouldStartNothing()).as("a free slot").isFalse();

        assertThat(creations.reserve(buildkiteJob("a"), query.startScan())).isTrue();
        assertThat(creations.pollWouldStartNothing())
                .as("the one slot is taken")
                .isTrue();

        inFlight.release("a");
        assertThat(creations.pollWouldStartNothing()).isFalse();
    }

    @Test
    void withoutALimitOnlyFarBehindWorkersHoldBackAPoll() {
        InFlightJobs unlimited = new InFlightJobs(0, nanos::incrementAndGet);
        JobCreations unlimitedCreations =
                new JobCreations(unlimited, 1, "buildkite-", Duration.ofMinutes(1), Clock.systemUTC(), registry);
        unlimited.reconcile(List.of(), unlimited.now());
        ScheduledJobsScan poll = query.startScan();
        assertThat(unlimitedCreations.reserve(buildkiteJob("a"), poll)).isTrue();
        assertThat(unlimitedCreations.reserve(buildkiteJob("b"), poll)).isTrue();
        assertThat(unlimitedCreations.pollWouldStartNothing())
                .as("two waiting for one worker")
                .isFalse();

        assertThat(unlimitedCreations.reserve(buildkiteJob("c"), poll)).isTrue();
        assertThat(unlimitedCreations.pollWouldStartNothing())
                .as("more than twice the workers waiting")
                .isTrue();
    }

    @Test
    void theLineOfACreatedJobCarriesItsQueueAndJobAsFields() {
        JobCreations queueCreations = new JobCreations(
                inFlight,
                1,
                "buildkite-",
                Duration.ofMinutes(1),
                Clock.systemUTC(),
                registry,
                "linux",
                new CreatePermission(Duration.ofSeconds(1), Clock.systemUTC()));
        inFlight.reconcile(List.of(), nanos.incrementAndGet());
        String uuid = "0190c8e4-7a2b-4c31-9d8e-2f5a6b7c8d9e";
        try (LogCapture logs = new LogCapture()) {
            assertThat(queueCreations.reserve(buildkiteJob(uuid), null)).isTrue();
            queueCreations.created(buildkiteJob(uuid));

            assertThat(logs.events())
                    .filteredOn(e -> e.getFormattedMessage().contains("created Job"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getMDCPropertyMap())
                            .containsEntry("queue", "linux")
                            .containsEntry("job", uuid));
        }
        assertThat(MDC.get("queue")).isNull(); // threads are shared by every queue's routes
        assertThat(MDC.get("job")).isNull();
    }
}
