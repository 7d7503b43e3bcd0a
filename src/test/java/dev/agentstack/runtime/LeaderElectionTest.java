package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.ReplicaPods;
import dev.agentstack.testing.UnfinishedJobsObserver;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.Test;

/** Two replicas, one Lease: one schedules, the other stands by and takes over when the leader stops. */
class LeaderElectionTest {

    private static final Duration LEASE = Duration.ofSeconds(3);

    private static boolean ready(Controller c) {
        return HealthCheckHelper.invokeReadiness(c.camelContext()).stream()
                .allMatch(r -> r.getState() == HealthCheck.State.UP);
    }

    private static boolean podReady(Controller c) {
        return HealthCheckHelper.invoke(c.camelContext(), (java.util.function.Predicate<HealthCheck>)
                        check -> !check.isReadiness() || ControllerHealth.NOT_FOR_POD_READINESS.contains(check.getId()))
                .stream()
                .allMatch(r -> r.getState() == HealthCheck.State.UP);
    }

    private static double created(Controller c) {
        MeterRegistry m = c.bean("metricsRegistry", MeterRegistry.class);
        return m.find("buildkite.scheduler.job.creations").tag("outcome", "created").counters().stream()
                .mapToDouble(x -> x.count())
                .sum();
    }

    @Test
    void twoReplicasCreateEachJobOnceAndTheStandbyTakesOver() throws Exception {
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.LEADER_ELECTION, true)
                        .set(Options.LEADER_ELECTION_LEASE_DURATION, LEASE)
                        .set(Options.LEADER_ELECTION_RENEW_DEADLINE, Duration.ofSeconds(2))
                        .set(Options.LEADER_ELECTION_RETRY_PERIOD, Duration.ofMillis(500))
                        .set(Options.MAX_IN_FLIGHT, 0)
                        .set(Options.K8S_CLIENT_RATE_LIMITER_QPS, 0)
                        .set(Options.GRAPHQL_PAGE_SIZE, 500));
                UnfinishedJobsObserver observer = new UnfinishedJobsObserver(h)) {
            for (int i = 0; i < 1000; i++) {
                h.buildkite().scheduleCommand("job " + i, "queue=kubernetes");
            }
            ControllerConfig config = h.config();
            for (String pod : List.of("replica-a", "replica-b")) {
                h.kubernetes()
                        .client()
                        .pods()
                        .inNamespace(ControllerHarness.NAMESPACE)
                        .resource(ReplicaPods.runningAndReady(pod))
                        .create();
            }
            Controller a = new Controller(config, h.kubernetes().newClient()).withLeaderIdentity("replica-a");
            Controller b = new Controller(config, h.kubernetes().newClient()).withLeaderIdentity("replica-b");
            try {
                a.start();
                b.start();
                await().atMost(Duration.ofSeconds(120)).until(() -> observer.added.size() == 1000);
                Controller leader =
                        a.bean("leaderElection", LeaderElection.class).isLeader() ? a : b;
                Controller standby = leader == a ? b : a;
                assertThat(standby.bean("leaderElection", LeaderElection.class).isLeader())
                        .isFalse();
                assertThat(observer.added.values())
                        .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
                assertThat(created(leader)).isEqualTo(1000);
                assertThat(created(standby)).isZero();
                await().atMost(ControllerHarness.WAIT).until(() -> ready(leader));
                assertThat(ready(standby)).as("a standby is not ready").isFalse();
                assertThat(podReady(standby))
                        .as("but its pod stays Ready, so it can take over")
                        .isTrue();
                Lease lease = h.kubernetes()
                        .client()
                        .leases()
                        .inNamespace(ControllerHarness.NAMESPACE)
                        .withName(config.leaderElectionLeaseName())
                        .get();
                assertThat(lease.getSpec().getHolderIdentity()).isIn("replica-a", "replica-b");

                List<String> more = new ArrayList<>();
                long stoppedAt = System.nanoTime();
                leader.close();
                // What the cluster sees when the leader's process stops: its pod ends.
                h.kubernetes()
                        .client()
                        .pods()
                        .inNamespace(ControllerHarness.NAMESPACE)
                        .withName(leader == a ? "replica-a" : "replica-b")
                        .delete();
                for (int i = 0; i < 10; i++) {
                    more.add(h.buildkite().scheduleCommand("after the leader stopped " + i, "queue=kubernetes"));
                }
                // Camel notices the leader's pod is gone within a retry period, then waits one lease duration.
                await().atMost(LEASE.plusSeconds(3))
                        .until(() -> standby.bean("leaderElection", LeaderElection.class)
                                .isLeader());
                System.out.printf(
                        "standby took over %d ms after the leader stopped (lease %s)%n",
                        (System.nanoTime() - stoppedAt) / 1_000_000, LEASE);
                await().atMost(ControllerHarness.WAIT).until(() -> more.stream().allMatch(u -> h.job(u) != null));
                assertThat(observer.added).hasSize(1010);
                assertThat(observer.added.values())
                        .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            } finally {
                a.close();
                b.close();
            }
        }
    }
    /** With Jobs in one namespace and the controller in another, the Lease and the candidates are the controller's. */
    @Test
    void theLeaseAndTheReplicasLiveInTheLeaderElectionNamespace() {
        String controllers = "controllers";
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.LEADER_ELECTION, true)
                .set(Options.LEADER_ELECTION_NAMESPACE, controllers)
                .set(Options.LEADER_ELECTION_LEASE_DURATION, LEASE)
                .set(Options.LEADER_ELECTION_RENEW_DEADLINE, Duration.ofSeconds(2))
                .set(Options.LEADER_ELECTION_RETRY_PERIOD, Duration.ofMillis(500)))) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.kubernetes()
                    .client()
                    .pods()
                    .inNamespace(controllers)
                    .resource(ReplicaPods.runningAndReady("replica-a"))
                    .create();
            Controller a = new Controller(h.config(), h.kubernetes().newClient()).withLeaderIdentity("replica-a");
            try {
                a.start();
                await().atMost(ControllerHarness.WAIT)
                        .until(() ->
                                a.bean("leaderElection", LeaderElection.class).isLeader());
                await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
                String lease = h.config().leaderElectionLeaseName();
                assertThat(h.kubernetes()
                                .client()
                                .leases()
                                .inNamespace(controllers)
                                .withName(lease)
                                .get()
                                .getSpec()
                                .getHolderIdentity())
                        .isEqualTo("replica-a");
                assertThat(h.kubernetes()
                                .client()
                                .leases()
                                .inNamespace(ControllerHarness.NAMESPACE)
                                .withName(lease)
                                .get())
                        .as("no Lease where the Jobs are")
                        .isNull();
            } finally {
                a.close();
            }
        }
    }
}
