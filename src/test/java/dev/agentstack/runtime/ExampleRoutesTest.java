package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worked examples of examples/routes, loaded with routes-dir as a user would, take effect. */
class ExampleRoutesTest {

    @TempDir
    Path dir;

    private void use(String example) throws IOException {
        Files.copy(Path.of("examples/routes", example), dir.resolve(example));
    }

    @Test
    void annotateTeamAnnotatesEachJobWithThePipelinesTeam() throws IOException {
        use("annotate-team.camel.yaml");
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            String uuid = java.util.UUID.randomUUID().toString();
            h.buildkite()
                    .addJob(
                            new dev.agentstack.buildkite.BuildkiteJob(
                                    null,
                                    uuid,
                                    "make",
                                    List.of("queue=kubernetes"),
                                    0,
                                    null,
                                    List.of("BUILDKITE_COMMAND=make", "BUILDKITE_PIPELINE_SLUG=payments-api")),
                            "build",
                            null);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            Job job = h.job(uuid);
            assertThat(job.getMetadata().getAnnotations()).containsEntry("buildkite.com/team", "payments");
            assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("buildkite.com/team", "payments");
        }
    }

    @Test
    void notifyWebhookPostsEachFailedJobAsJson() throws IOException {
        use("notify-webhook.camel.yaml");
        List<String> posted = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            posted.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            h.withProperty(
                    "notify-webhook-url",
                    "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
            // An invalid plugin configuration: the controller fails the job, so the webhook hears of it.
            String uuid = java.util.UUID.randomUUID().toString();
            h.buildkite()
                    .addJob(
                            new dev.agentstack.buildkite.BuildkiteJob(
                                    null,
                                    uuid,
                                    "make",
                                    List.of("queue=kubernetes"),
                                    0,
                                    null,
                                    List.of(
                                            "BUILDKITE_PLUGINS=[{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":42}]}}}]")),
                            "broken step",
                            null);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> posted.size() == 1);
            assertThat(posted.get(0))
                    .startsWith("application/json ")
                    .contains("\"uuid\":\"" + uuid + "\"")
                    .contains("\"reason\":\"invalid_job\"");
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
            assertThat(h.buildkite().snapshot(uuid).signalReason())
                    .as("the webhook does not stand in the way")
                    .isEqualTo("stack_error");
        } finally {
            webhook.stop(0);
        }
    }
}
