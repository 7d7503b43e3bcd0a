package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.cli.AgentStackCamel;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.AutoConfiguredKubernetes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller in a JVM of its own with a 128 MiB heap gets a 200 MB GraphQL answer: it reads no more than
 * max-response-size of it, stays up, and its next poll still creates a Job. Before the limit this answer threw
 * OutOfMemoryError on the poll timer's thread and polling stopped for good.
 */
class SmallHeapPollTest {

    private static final String TOKEN = "bkua_small_heap_token";

    @TempDir
    Path home;

    /** Kept in target/ for a look after a failure. */
    private static final Path LOG = Path.of("target", "small-heap-controller.log");

    @Test
    void a200MbAnswerLeavesASmallHeapControllerPolling() throws Exception {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
                FakeBuildkite buildkite = FakeBuildkite.start("acme", TOKEN)) {
            buildkite.enqueueGraphqlFault(Fault.huge(200L * 1024 * 1024, false));
            Path log = LOG;
            Process controller = start(kubernetes, buildkite, log);
            try {
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> !controller.isAlive()
                                || !buildkite.graphqlRequests().isEmpty());
                String uuid = buildkite.scheduleCommand("echo after the flood", "queue=kubernetes");
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> !controller.isAlive()
                                || kubernetes
                                                .client()
                                                .batch()
                                                .v1()
                                                .jobs()
                                                .inNamespace("small-heap")
                                                .withName(PodSpecBuilder.jobName(uuid))
                                                .get()
                                        != null);
                String output = Files.readString(log);
                assertThat(controller.isAlive())
                        .as("the controller is still running; its output:\n" + output)
                        .isTrue();
                assertThat(output).contains("poll failed (oversize_response)").doesNotContain("OutOfMemoryError");
            } finally {
                controller.destroy();
                controller.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private Process start(EmbeddedKubernetes kubernetes, FakeBuildkite buildkite, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                AgentStackCamel.class.getName(),
                "run"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("AGENT_STACK_") || name.startsWith("KUBE"));
        AutoConfiguredKubernetes.putEnvironment(env, kubernetes);
        env.put("HOME", home.toString()); // never a developer's ~/.kube/config
        env.put("BUILDKITE_TOKEN", TOKEN);
        env.put("AGENT_STACK_ORG", "acme");
        env.put("AGENT_STACK_GRAPHQL_ENDPOINT", buildkite.graphqlEndpoint());
        env.put("AGENT_STACK_AGENT_ENDPOINT", buildkite.agentEndpoint());
        env.put("AGENT_STACK_NAMESPACE", "small-heap");
        env.put("AGENT_STACK_MANAGEMENT_PORT", "0");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }
}
