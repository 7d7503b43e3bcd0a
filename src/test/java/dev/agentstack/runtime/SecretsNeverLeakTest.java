package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.agentstack.config.Options;
import dev.agentstack.podspec.JobYaml;
import dev.agentstack.sandbox.ClusterSimulator;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.FreePort;
import dev.agentstack.testing.LogCapture;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With sentinel values for the GraphQL token and the agent token, a run that goes through failed polls (500, GraphQL
 * errors, a timeout), a failing agent API, an invalid job failed on Buildkite and a job whose
 * image cannot be pulled, at debug level: neither token appears in any log line or stack trace, metric, health answer,
 * Job created, or failure message sent to Buildkite.
 */
class SecretsNeverLeakTest {

    private static final String GRAPHQL_TOKEN = ControllerHarness.TOKEN;
    private static final String AGENT_TOKEN = ControllerHarness.AGENT_TOKEN;

    @Test
    void neitherTokenAppearsAnywhereTheControllerWrites() throws Exception {
        int managementPort = FreePort.find();
        // the controller's and Camel's debug output too (the fakes in dev.agentstack.sandbox are not the controller)
        Map<String, Level> debug = Map.of(
                "dev.agentstack", Level.DEBUG, "org.apache.camel", Level.DEBUG, "dev.agentstack.sandbox", Level.INFO);
        Map<String, Level> before = new HashMap<>();
        debug.forEach((name, level) -> {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            before.put(name, logger.getLevel());
            logger.setLevel(level);
        });
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.MANAGEMENT_PORT, managementPort)
                        // long enough that a loaded CI machine's answers do not time out (each timeout doubles the
                        // wait before the next poll); the delay fault below outlasts it
                        .set(Options.HTTP_TIMEOUT, Duration.ofMillis(1500))
                        .set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1)))) {
            FakeBuildkite buildkite = h.buildkite();
            String ok = buildkite.scheduleCommand("echo ok", "queue=kubernetes");
            String invalid = java.util.UUID.randomUUID().toString();
            String unpullable = buildkite.scheduleCommand("echo unpullable", "queue=kubernetes");
            // the invalid job: a plugin the builder refuses, failed on Buildkite with the agent token
            buildkite.addJob(withPlugin(invalid), "invalid", null);
            // each failed poll doubles the wait before the next: three kinds keep the test short
            for (Fault f : List.of(
                    Fault.status(500),
                    Fault.graphqlErrors("Field 'jobs' is broken"),
                    Fault.delay(Duration.ofSeconds(3)))) {
                buildkite.enqueueGraphqlFault(f);
            }
            buildkite.enqueueAgentFault(Fault.status(500));
            ClusterSimulator cluster = h.simulateCluster();
            cluster.script(unpullable, ClusterSimulator.Scenario.IMAGE_PULL_FAILS);
            h.start();

            // One after the other: the simulated cluster deletes the ok Job a second after it finishes (as the TTL
            // controller would), which can come before the unpullable job is failed.
            await().atMost(Duration.ofSeconds(60)).until(() -> h.job(ok) != null && h.job(unpullable) != null);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> failedByController(buildkite, invalid) && failedByController(buildkite, unpullable));
            HttpClient http = HttpClient.newHttpClient();
            String metrics = get(http, managementPort, "/observe/metrics");
            String health = get(http, managementPort, "/observe/health/ready");

            // The sentinels were really in play: sent to Buildkite, and the checks below read real output.
            assertThat(buildkite.graphqlRequests())
                    .anySatisfy(r -> assertThat(r.header("Authorization")).contains(GRAPHQL_TOKEN));
            assertThat(buildkite.agentCalls())
                    .anySatisfy(c -> assertThat(c.headers().toString()).contains(AGENT_TOKEN));
            assertThat(logs.linesContaining("poll failed")).isNotEmpty();
            assertThat(logs.lines())
                    .anyMatch(l -> l.startsWith("DEBUG [dev.agentstack"))
                    .anyMatch(l -> l.startsWith("DEBUG [org.apache.camel"));
            assertThat(metrics).contains("buildkite_");

            List<String> written = new ArrayList<>(logs.lines());
            written.add(metrics);
            written.add(health);
            for (Job job : h.jobs()) {
                written.add(JobYaml.write(job));
            }
            buildkite.agentCalls().forEach(c -> written.add(c.call() + " " + c.body()));
            for (String text : written) {
                assertThat(text).doesNotContain(GRAPHQL_TOKEN).doesNotContain(AGENT_TOKEN);
            }
        } finally {
            before.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
        }
    }

    private static dev.agentstack.buildkite.BuildkiteJob withPlugin(String uuid) {
        return new dev.agentstack.buildkite.BuildkiteJob(
                dev.agentstack.sandbox.FakeJob.nodeId(uuid),
                uuid,
                "echo invalid",
                List.of("queue=kubernetes"),
                0,
                null,
                List.of("BUILDKITE_PLUGINS=[{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":\"a\","
                        + "\"name\":\"Not A Name\"}]}}}]"));
    }

    private static boolean failedByController(FakeBuildkite buildkite, String uuid) {
        return buildkite.agentCalls().stream()
                .anyMatch(c -> uuid.equals(c.jobUuid()) && c.call().contains("finish"));
    }

    private static String get(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
