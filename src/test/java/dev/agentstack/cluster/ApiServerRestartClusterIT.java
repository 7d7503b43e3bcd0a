package dev.agentstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.scheduling.InFlightByQueue;
import dev.agentstack.scheduling.InFlightJobs;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.KwokAgents;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller's watches across an API-server restart. The new API server's watch cache starts at etcd's current
 * revision (and etcd has compacted the history before it), so a watch resumed from an older resource version is
 * answered "too old resource version": the controller has to list again, and its in-flight count has to follow.
 */
@ExtendWith(LocalCluster.class)
class ApiServerRestartClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void jobsScheduledBeforeAndAfterARestartAllRunAndTheInFlightCountReturnsToZero() throws Exception {
        try (ControllerHarness h = ControllerHarness.onCluster(
                        LocalCluster::newClient,
                        "restart",
                        b -> b.set(Options.MAX_IN_FLIGHT, 4)
                                .set(Options.JOB_TTL, Duration.ofSeconds(2))
                                .set(Options.POLL_INTERVAL, Duration.ofSeconds(1)));
                KwokAgents agents = new KwokAgents(h)) {
            String oldVersion = h.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(h.namespace())
                    .list()
                    .getMetadata()
                    .getResourceVersion();
            List<String> before = schedule(h, "before", 4);
            h.start();
            await().atMost(WAIT)
                    .until(() -> before.stream()
                            .allMatch(u -> "FINISHED".equals(h.buildkite().state(u))));

            LocalCluster.restartApiServer();
            List<String> after = schedule(h, "after", 6);

            await().atMost(WAIT)
                    .until(() -> after.stream()
                            .allMatch(u -> "FINISHED".equals(h.buildkite().state(u))));
            InFlightJobs inFlight = h.controller()
                    .bean("inFlightJobs", InFlightByQueue.class)
                    .of(h.controller().config().queue());
            await().atMost(WAIT).until(() -> h.jobs().isEmpty() && inFlight.inFlight() == 0);
            assertThat(after)
                    .allSatisfy(u ->
                            assertThat(h.buildkite().snapshot(u).exitStatus()).isEqualTo("0"));
            assertThat(inFlight.highWater()).isLessThanOrEqualTo(4);

            // What the controller's informers went through: the old version is gone from etcd and the watch cache.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listAt(h, oldVersion)).isEqualTo(410));
            assertThat(watchFrom(h, oldVersion).get(1, TimeUnit.MINUTES).isHttpGone())
                    .isTrue();
        }
    }

    /** The HTTP status of an exact list at an old resource version, which etcd answers until it compacts. */
    private static int listAt(ControllerHarness h, String resourceVersion) {
        try {
            h.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(h.namespace())
                    .list(new ListOptionsBuilder()
                            .withResourceVersion(resourceVersion)
                            .withResourceVersionMatch("Exact")
                            .build());
            return 200;
        } catch (KubernetesClientException e) {
            return e.getCode();
        }
    }

    private static CompletableFuture<WatcherException> watchFrom(ControllerHarness h, String resourceVersion) {
        CompletableFuture<WatcherException> closed = new CompletableFuture<>();
        h.client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(h.namespace())
                .withResourceVersion(resourceVersion)
                .watch(new Watcher<Job>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                        // the events after it, if it were still there
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        closed.complete(cause);
                    }
                });
        return closed;
    }

    private static List<String> schedule(ControllerHarness h, String name, int n) {
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            uuids.add(h.buildkite().scheduleCommand(name + " " + i, "queue=kubernetes"));
        }
        return uuids;
    }
}
