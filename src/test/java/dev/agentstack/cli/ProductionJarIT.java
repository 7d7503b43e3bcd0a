package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.testing.AutoConfiguredKubernetes;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The two jars {@code mvn package} builds (run by failsafe in {@code verify}): the production jar runs the controller
 * without the demo's fakes or what only they need, within its size bound; the demo jar adds them.
 */
class ProductionJarIT {

    static final Path PRODUCTION = Path.of("target/agent-stack-camel.jar");
    static final Path DEMO = Path.of("target/agent-stack-camel-demo.jar");
    static final long MAX_PRODUCTION_BYTES = 40L * 1024 * 1024;

    /** Classes and resources only the demo needs: its fakes, the mock API server, graphql-java, OpenShift, TLS. */
    static final List<String> DEMO_ONLY = List.of(
            "dev/agentstack/sandbox/",
            "sandbox/",
            "examples/",
            "io/fabric8/kubernetes/client/server/mock/",
            "io/fabric8/mockwebserver/",
            "io/fabric8/openshift/",
            "org/bouncycastle/",
            "okhttp3/",
            "META-INF/services/dev.agentstack.runtime.Demo");

    @Test
    void theProductionJarHasNoDemoFakesAndStaysUnderItsSizeBound() throws IOException {
        assertThat(Files.size(PRODUCTION)).isLessThanOrEqualTo(MAX_PRODUCTION_BYTES);
        List<String> entries = entries(PRODUCTION);
        assertThat(entries)
                .contains(
                        "dev/agentstack/cli/AgentStackCamel.class",
                        "routes/schedule-jobs.camel.yaml",
                        "graphql/scheduled-jobs.graphql");
        assertThat(entries).noneMatch(e -> DEMO_ONLY.stream().anyMatch(e::startsWith));
        // graphql/ holds our GraphQL documents; graphql-java's classes live there too, and stay out.
        assertThat(entries).noneMatch(e -> e.startsWith("graphql/") && e.endsWith(".class"));
    }

    @Test
    void theDemoJarHasTheFakesAndFindsThem() throws Exception {
        assertThat(entries(DEMO))
                .contains(
                        "dev/agentstack/sandbox/FakeBuildkite.class",
                        "META-INF/services/dev.agentstack.runtime.Demo",
                        "graphql/GraphQL.class");
        Run demo = java(DEMO, Map.of(), "demo", "--max-seconds", "20");
        assertThat(demo.exit).as(demo.output).isZero();
        assertThat(demo.output).contains("-> created Kubernetes Job buildkite-", "demo: summary: ");
    }

    @Test
    void theProductionJarPrintsItsVersionRendersAndSendsDemoToTheDemoJar() throws Exception {
        Run version = java(PRODUCTION, Map.of(), "version");
        assertThat(version.exit).as(version.output).isZero();
        assertThat(version.output).startsWith("agent-stack-camel ");

        Run render = java(PRODUCTION, Map.of(), "render", "examples/pipelines/hello-world.yaml");
        assertThat(render.exit).as(render.output).isZero();
        assertThat(render.output).contains("kind: Job", "apiVersion: batch/v1");

        Run demo = java(PRODUCTION, Map.of(), "demo");
        assertThat(demo.exit).isEqualTo(AgentStackCamel.EXIT_USAGE);
        assertThat(demo.output.strip())
                .isEqualTo("agent-stack-camel: the demo is not in this jar:"
                        + " use target/agent-stack-camel-demo.jar (java -jar target/agent-stack-camel-demo.jar demo)");
    }

    /** What the image runs: {@code run}, against the mock API server and the fake Buildkite, creates the Job. */
    @Test
    void theProductionJarRunsTheControllerAgainstAnApiServer() throws Exception {
        try (ControllerHarness fakes = new ControllerHarness()) {
            String uuid = fakes.schedulePipeline("""
                    steps:
                      - command: echo hello
                        agents: {queue: kubernetes}
                    """).get(0);
            Map<String, String> env = new java.util.HashMap<>();
            AutoConfiguredKubernetes.putEnvironment(env, fakes.kubernetes());
            env.put("BUILDKITE_TOKEN", ControllerHarness.TOKEN);
            env.put("AGENT_STACK_ORG", ControllerHarness.ORG);
            env.put("AGENT_STACK_GRAPHQL_ENDPOINT", fakes.buildkite().graphqlEndpoint());
            env.put("AGENT_STACK_AGENT_ENDPOINT", fakes.buildkite().agentEndpoint());
            env.put("AGENT_STACK_NAMESPACE", fakes.namespace());
            int port = FreePort.find();
            env.put("AGENT_STACK_MANAGEMENT_PORT", String.valueOf(port));
            Path log = Path.of("target/production-jar-run.log");
            Process controller = start(PRODUCTION, env, log, "run");
            try {
                await().atMost(ControllerHarness.WAIT).until(() -> fakes.job(uuid) != null || !controller.isAlive());
                assertThat(fakes.job(uuid)).as(Files.readString(log)).isNotNull();
                // Health and metrics are served too: the management port's Vert.x server and Micrometer are in.
                HttpResponse<String> metrics = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/observe/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            } finally {
                controller.destroy();
                controller.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(Files.readString(log)).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
        }
    }

    record Run(int exit, String output) {}

    static Run java(Path jar, Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile("agent-stack-camel-jar", ".log");
        try {
            Process p = start(jar, env, log, args);
            boolean ended = p.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            return new Run(ended ? p.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static Process start(Path jar, Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        Collections.addAll(command, args);
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("AGENT_STACK_") || name.startsWith("KUBERNETES_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }
}
