package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Two queues in one controller: each queue's jobs become Jobs with its own tags, limit and pod-spec patch. */
class MultiQueueRouteTest {

    private static final List<Map<String, Object>> QUEUES = List.of(
            Map.of("tags", List.of("queue=linux", "os=linux"), "max-in-flight", 2),
            Map.of(
                    "tags",
                    List.of("queue=gpu"),
                    "max-in-flight",
                    1,
                    "pod-spec-patch",
                    Map.of("nodeSelector", Map.of("gpu", "true"))));

    @Test
    void eachQueueSchedulesItsJobsWithinItsOwnLimitAndPatch() {
        try (ControllerHarness h = new ControllerHarness(b -> b.setFromYaml(Options.QUEUES, QUEUES))) {
            List<String> linux = List.of(
                    h.buildkite().scheduleCommand("make 1", "queue=linux", "os=linux"),
                    h.buildkite().scheduleCommand("make 2", "queue=linux", "os=linux"),
                    h.buildkite().scheduleCommand("make 3", "queue=linux", "os=linux"));
            List<String> gpu = List.of(
                    h.buildkite().scheduleCommand("train 1", "queue=gpu"),
                    h.buildkite().scheduleCommand("train 2", "queue=gpu"));
            String windows = h.buildkite().scheduleCommand("msbuild", "queue=linux", "os=windows");
            String elsewhere = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.jobs().size() == 3);
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 4);
            assertThat(byQueue(h))
                    .as("each queue stops at its own max-in-flight")
                    .containsEntry("linux", 2L)
                    .containsEntry("gpu", 1L)
                    .hasSize(2);
            assertThat(h.job(windows))
                    .as("a job needing os=windows is not served by the linux queue")
                    .isNull();
            assertThat(h.job(elsewhere))
                    .as("queues this controller does not serve are left alone")
                    .isNull();

            Job gpuJob = h.job(gpu.get(0));
            assertThat(gpuJob.getSpec().getTemplate().getSpec().getNodeSelector())
                    .containsEntry("gpu", "true");
            assertThat(gpuJob.getMetadata().getLabels()).containsEntry("tag.buildkite.com/queue", "gpu");
            Job linuxJob = h.job(linux.get(0));
            assertThat(linuxJob.getSpec().getTemplate().getSpec().getNodeSelector())
                    .as("the gpu patch is the gpu queue's only")
                    .isNullOrEmpty();
            assertThat(linuxJob.getMetadata().getLabels()).containsEntry("tag.buildkite.com/os", "linux");

            // A finished linux Job frees a linux slot only.
            InFlightRouteTest.finish(h, linux.get(0));
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(linux.get(2)) != null);
            assertThat(h.job(gpu.get(1))).as("the gpu queue is still full").isNull();
            InFlightRouteTest.finish(h, gpu.get(0));
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(gpu.get(1)) != null);

            String metrics = h.controller()
                    .bean("metricsRegistry", PrometheusMeterRegistry.class)
                    .scrape();
            assertThat(metrics)
                    .contains(
                            "buildkite_limiter_max_in_flight{queue=\"linux\"} 2.0",
                            "buildkite_limiter_max_in_flight{queue=\"gpu\"} 1.0",
                            "buildkite_scheduler_job_creations_total{outcome=\"created\",queue=\"gpu\",reason=\"\"} 2.0",
                            "buildkite_scheduler_job_creations_total{outcome=\"created\",queue=\"linux\",reason=\"\"} 3.0");
            assertThat(h.controller().camelContext().getRoute("schedule-jobs-linux"))
                    .isNotNull();
            assertThat(h.controller().camelContext().getRoute("schedule-jobs-gpu"))
                    .isNotNull();
            assertThat(h.buildkite().jobsArguments())
                    .extracting(a -> a.get("agentQueryRules"))
                    .contains(List.of("queue=linux"), List.of("queue=gpu"));
        }
    }

    @Test
    void aQueueListedTwiceOrWithoutAQueueTagIsAConfigurationError() {
        assertThatThrownBy(() -> ControllerConfig.builder()
                        .set(Options.ORG, "o")
                        .set(Options.BUILDKITE_TOKEN, "t")
                        .setFromYaml(
                                Options.QUEUES,
                                List.of(Map.of("tags", List.of("queue=a")), Map.of("tags", List.of("queue=a"))))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queue \"a\" is listed twice");
        assertThatThrownBy(() -> ControllerConfig.builder()
                        .set(Options.ORG, "o")
                        .set(Options.BUILDKITE_TOKEN, "t")
                        .setFromYaml(Options.QUEUES, List.of(Map.of("tags", List.of("os=linux"))))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must contain a queue tag");
        assertThatThrownBy(() -> ControllerConfig.builder()
                        .set(Options.ORG, "o")
                        .set(Options.BUILDKITE_TOKEN, "t")
                        .setFromYaml(Options.QUEUES, List.of(Map.of("tags", List.of("queue=a"), "max-inflight", 3)))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max-inflight");
    }

    private static Map<String, Long> byQueue(ControllerHarness h) {
        return h.jobs().stream()
                .collect(Collectors.groupingBy(
                        j -> j.getMetadata().getLabels().get("tag.buildkite.com/queue"), Collectors.counting()));
    }
}
