package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.sandbox.ClusterSimulator.Scenario;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Test;

/**
 * Pods that can never run, a slow agent API and a watch resync every second: each job waits in act-on-finding's queue
 * once, however often the resyncs report it, and the watches go on meanwhile.
 */
class FindingsFloodTest {

    private static final int JOBS = 8;

    @Test
    void resyncsDoNotQueueAJobTwiceAndTheWatchesKeepMoving() {
        try (ControllerHarness h =
                new ControllerHarness(b -> b.set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1))
                        .set(Options.HTTP_TIMEOUT, Duration.ofSeconds(30)))) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String uuid = h.buildkite().scheduleCommand("make " + i, "queue=kubernetes");
                h.simulateCluster().script(uuid, Scenario.IMAGE_PULL_FAILS);
                uuids.add(uuid);
            }
            h.buildkite().enqueueAgentFault(Fault.delay(Duration.ofSeconds(8))); // the first register hangs
            h.start();

            SedaEndpoint queue = h.controller().camelContext().getEndpoint("seda:act-on-finding", SedaEndpoint.class);
            Findings findings = h.controller().bean("findings", Findings.class);
            AtomicInteger mostWaiting = new AtomicInteger();
            await().atMost(ControllerHarness.WAIT).until(() -> {
                mostWaiting.accumulateAndGet(queue.getCurrentQueueSize(), Math::max);
                return notQueued(h) >= 3 * JOBS; // three resyncs' worth of findings seen again and not queued
            });
            assertThat(uuids)
                    .as("the worker is still held by the slow agent API")
                    .noneMatch(uuid -> "FINISHED".equals(h.buildkite().state(uuid)));
            assertThat(findings.queued()).isLessThanOrEqualTo(JOBS);

            for (String uuid : uuids) {
                await().atMost(ControllerHarness.WAIT)
                        .until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
                mostWaiting.accumulateAndGet(queue.getCurrentQueueSize(), Math::max);
            }
            assertThat(mostWaiting.get()).as("findings waiting at once").isLessThanOrEqualTo(JOBS);
            for (String uuid : uuids) {
                assertThat(h.buildkite().agentCalls(PodSpecBuilder.jobName(uuid)))
                        .filteredOn(c -> c.call().equals("finish"))
                        .hasSize(1);
            }
        }
    }

    private static double notQueued(ControllerHarness h) {
        Counter c = h.controller()
                .bean("metricsRegistry", MeterRegistry.class)
                .find("buildkite.watcher.findings.not.queued")
                .tag("reason", "already_queued")
                .counter();
        return c == null ? 0 : c.count();
    }
}
