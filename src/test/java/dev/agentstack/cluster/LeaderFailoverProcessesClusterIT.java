package dev.agentstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.cli.AgentStackCamel;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers in JVMs of their own, as two pods of the chart's Deployment, elect a leader on a real Lease; the
 * leader is killed (no shutdown hook, no Lease release) halfway through a backlog and its pod goes. The other takes
 * the Lease over and creates the rest: every Buildkite job gets exactly one Kubernetes Job. Each controller's output
 * is kept in target/leader-failover-*.log.
 */
@ExtendWith(LocalCluster.class)
class LeaderFailoverProcessesClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int JOBS = 60;
    private static final String LEASE = "failover-leader";

    @TempDir
    Path home;

    @Test
    void aKilledLeadersBacklogIsFinishedByTheOtherProcessWithoutLossOrDuplicates() throws Exception {
        try (ControllerHarness h = ControllerHarness.onCluster(LocalCluster::newClient, "failover", b -> b);
                JobsByUuid jobs = new JobsByUuid(h)) {
            List<String> replicas = List.of("replica-a", "replica-b");
            for (String replica : replicas) { // Camel lets only Running, Ready pods with the selector's labels lead
                h.client()
                        .pods()
                        .inNamespace(h.namespace())
                        .resource(new PodBuilder()
                                .withNewMetadata()
                                .withName(replica)
                                .addToLabels("app.kubernetes.io/name", "agent-stack-camel")
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("controller")
                                .withImage("agent-stack-camel:test")
                                .endContainer()
                                .endSpec()
                                .build())
                        .create();
                h.client()
                        .pods()
                        .inNamespace(h.namespace())
                        .withName(replica)
                        .waitUntilCondition(Readiness::isPodReady, WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            // No agent takes the jobs: all stay scheduled, so the new leader sees the whole backlog again.
            List<String> uuids = h.buildkite()
                    .scheduleCommands(
                            IntStream.range(0, JOBS)
                                    .mapToObj(i -> "make test " + i)
                                    .toList(),
                            "queue=kubernetes");
            Map<String, Process> processes = new LinkedHashMap<>();
            try {
                for (String replica : replicas) {
                    processes.put(replica, start(h, replica));
                }
                await().atMost(WAIT).until(() -> jobs.created() >= JOBS / 6);
                String leader = holder(h);
                assertThat(leader).isIn(replicas);
                processes.get(leader).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                h.client().pods().inNamespace(h.namespace()).withName(leader).delete();
                assertThat(jobs.created()).as("killed mid-backlog").isLessThan(JOBS);
                String standby = replicas.stream()
                        .filter(r -> !r.equals(leader))
                        .findFirst()
                        .orElseThrow();

                await().atMost(WAIT).until(() -> standby.equals(holder(h)));
                await().atMost(WAIT).until(() -> jobs.allCreated(uuids));
                int polls = h.graphqlPolls();
                await().atMost(WAIT).until(() -> h.graphqlPolls() >= polls + 3); // later polls see every job again
                assertThat(processes.get(standby).isAlive()).isTrue();
                assertThat(jobs.counts())
                        .containsOnlyKeys(uuids)
                        .allSatisfy((uuid, n) -> assertThat(n).isEqualTo(1));
                assertThat(h.jobs()).hasSize(JOBS);
            } finally {
                for (Process p : processes.values()) {
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static String holder(ControllerHarness h) {
        Lease lease =
                h.client().leases().inNamespace(h.namespace()).withName(LEASE).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The controller's own JVM, configured as the chart configures a replica: environment variables only. */
    private Process start(ControllerHarness h, String replica) throws IOException {
        Path replicaHome = Files.createDirectories(home.resolve(replica));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                AgentStackCamel.class.getName(),
                "run"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("AGENT_STACK_") || name.startsWith("KUBE"));
        env.put("HOME", replicaHome.toString()); // never a developer's ~/.kube/config
        env.put("KUBECONFIG", LocalCluster.kubeconfig().toString());
        env.put("POD_NAME", replica);
        env.put("BUILDKITE_TOKEN", ControllerHarness.TOKEN);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("ORG", ControllerHarness.ORG);
        options.put("GRAPHQL_ENDPOINT", h.buildkite().graphqlEndpoint());
        options.put("AGENT_ENDPOINT", h.buildkite().agentEndpoint());
        options.put("NAMESPACE", h.namespace());
        options.put("MANAGEMENT_PORT", "0");
        options.put("MAX_IN_FLIGHT", "0");
        options.put("POLL_INTERVAL", "1s");
        options.put("JOB_TTL", "10m");
        // A slow write limit keeps the backlog long enough to kill the leader in the middle of it.
        options.put("K8S_CLIENT_RATE_LIMITER_QPS", "2");
        options.put("K8S_CLIENT_RATE_LIMITER_BURST", "1");
        options.put("LEADER_ELECTION", "true");
        options.put("LEADER_ELECTION_LEASE_NAME", LEASE);
        options.put("LEADER_ELECTION_LEASE_DURATION", "4s");
        options.put("LEADER_ELECTION_RENEW_DEADLINE", "3s");
        options.put("LEADER_ELECTION_RETRY_PERIOD", "500ms");
        options.forEach((k, v) -> env.put("AGENT_STACK_" + k, v));
        pb.redirectErrorStream(true);
        pb.redirectOutput(
                Path.of("target", "leader-failover-" + replica + ".log").toFile());
        return pb.start();
    }
}
