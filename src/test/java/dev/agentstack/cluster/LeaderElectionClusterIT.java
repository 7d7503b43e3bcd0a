package dev.agentstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.runtime.Controller;
import dev.agentstack.runtime.LeaderElection;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.KwokAgents;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two controller replicas elect a leader through a real coordination.k8s.io Lease: only the leader creates Jobs, and
 * when it stops and its pod goes, the standby takes the Lease over and schedules the rest.
 */
@ExtendWith(LocalCluster.class)
class LeaderElectionClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Duration LEASE = Duration.ofSeconds(4);

    @Test
    void onlyTheLeaderCreatesJobsAndTheStandbyTakesOverWhenItStops() {
        try (ControllerHarness h = ControllerHarness.onCluster(
                        LocalCluster::newClient,
                        "leader",
                        b -> b.set(Options.LEADER_ELECTION, true)
                                .set(Options.LEADER_ELECTION_LEASE_DURATION, LEASE)
                                .set(Options.LEADER_ELECTION_RENEW_DEADLINE, Duration.ofSeconds(3))
                                .set(Options.LEADER_ELECTION_RETRY_PERIOD, Duration.ofMillis(500))
                                .set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                                .set(Options.JOB_TTL, Duration.ofSeconds(2)));
                KwokAgents agents = new KwokAgents(h)) {
            // The replicas' own pods, which kwok runs (no Job owns them, so they run until deleted).
            for (String replica : List.of("replica-a", "replica-b")) {
                h.client()
                        .pods()
                        .inNamespace(h.namespace())
                        .resource(replicaPod(replica))
                        .create();
                h.client()
                        .pods()
                        .inNamespace(h.namespace())
                        .withName(replica)
                        .waitUntilCondition(Readiness::isPodReady, WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            ControllerConfig config = h.config();
            Controller a = new Controller(config, LocalCluster.newClient()).withLeaderIdentity("replica-a");
            Controller b = new Controller(config, LocalCluster.newClient()).withLeaderIdentity("replica-b");
            try {
                List<String> first = schedule(h, "first", 5);
                a.start();
                b.start();
                await().atMost(WAIT).until(() -> allFinished(h, first));
                Controller leader = isLeader(a) ? a : b;
                Controller standby = leader == a ? b : a;
                assertThat(isLeader(standby)).isFalse();
                assertThat(created(leader)).isEqualTo(5);
                assertThat(created(standby)).isZero();
                Lease lease = h.client()
                        .leases()
                        .inNamespace(h.namespace())
                        .withName(config.leaderElectionLeaseName())
                        .get();
                String leaderName = leader == a ? "replica-a" : "replica-b";
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderName);

                leader.close();
                h.client()
                        .pods()
                        .inNamespace(h.namespace())
                        .withName(leaderName)
                        .delete();
                List<String> second = schedule(h, "second", 4);
                await().atMost(WAIT).until(() -> isLeader(standby));
                await().atMost(WAIT).until(() -> allFinished(h, second));
                assertThat(created(standby)).isEqualTo(4);
                assertThat(h.client()
                                .leases()
                                .inNamespace(h.namespace())
                                .withName(config.leaderElectionLeaseName())
                                .get()
                                .getSpec()
                                .getHolderIdentity())
                        .isNotEqualTo(leaderName);
            } finally {
                a.close();
                b.close();
            }
        }
    }

    private static Pod replicaPod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("app.kubernetes.io/name", "agent-stack-camel")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("controller")
                .withImage("agent-stack-camel:test")
                .endContainer()
                .endSpec()
                .build();
    }

    private static boolean isLeader(Controller c) {
        return c.bean("leaderElection", LeaderElection.class).isLeader();
    }

    private static double created(Controller c) {
        MeterRegistry m = c.bean("metricsRegistry", MeterRegistry.class);
        return m.find("buildkite.scheduler.job.creations").tag("outcome", "created").counters().stream()
                .mapToDouble(x -> x.count())
                .sum();
    }

    private static boolean allFinished(ControllerHarness h, List<String> uuids) {
        return uuids.stream().allMatch(u -> "FINISHED".equals(h.buildkite().state(u)));
    }

    private static List<String> schedule(ControllerHarness h, String name, int n) {
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            uuids.add(h.buildkite().scheduleCommand(name + " " + i, "queue=kubernetes"));
        }
        return uuids;
    }
}
