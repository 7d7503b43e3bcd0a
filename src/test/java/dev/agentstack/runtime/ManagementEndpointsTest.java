package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Health and Prometheus metrics on the management port, with the names dashboards and probes rely on. */
class ManagementEndpointsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndMetricsAnswerWithTheExpectedNames() throws Exception {
        int port = FreePort.find();
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MANAGEMENT_PORT, port))) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.buildkite().scheduleCommand("echo", "queue=kubernetes", "os=windows");
            h.buildkite().enqueueGraphqlFault(Fault.status(500));
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> get(port, "/observe/health/ready").statusCode() == 200);

            assertThat(get(port, "/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(get(port, "/observe/health/pod").body()).contains("\"status\":\"UP\"");
            String metrics = get(port, "/observe/metrics").body();
            assertThat(metrics)
                    .contains(
                            "buildkite_monitor_job_queries_total{queue=\"kubernetes\"}",
                            "buildkite_monitor_job_query_errors_total{queue=\"kubernetes\",reason=\"http_500\"} 1.0",
                            "buildkite_monitor_job_query_seconds_bucket",
                            "buildkite_monitor_jobs_returned_total",
                            "buildkite_monitor_graphql_points_remaining{queue=\"kubernetes\"} -1.0",
                            "buildkite_monitor_jobs_filtered_out_total{queue=\"kubernetes\",reason=\"tags_mismatch\"}",
                            "buildkite_limiter_in_flight{queue=\"kubernetes\"} 1.0",
                            "buildkite_limiter_max_in_flight{queue=\"kubernetes\"} 25.0",
                            "buildkite_scheduler_job_creations_total{outcome=\"created\",queue=\"kubernetes\",reason=\"\"} 1.0",
                            "buildkite_job_end_to_end_seconds_count{queue=\"kubernetes\"} 1",
                            "buildkite_leader 1.0");
            // The JVM's own, for the dashboard's JVM row
            // (jvm_gc_pause_seconds appears with the first collection, which a short run may not have had)
            assertThat(metrics)
                    .contains(
                            "jvm_memory_used_bytes{area=\"heap\"",
                            "jvm_gc_max_data_size_bytes",
                            "jvm_gc_memory_allocated_bytes_total",
                            "jvm_threads_live_threads",
                            "jvm_classes_loaded_classes",
                            "process_cpu_usage",
                            "process_uptime_seconds");
            HttpResponse<String> info = get(port, "/observe/info");
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(info.body())
                    .contains(
                            "\"name\":\"agent-stack-camel\"",
                            "\"version\":\"" + Version.get() + "\"",
                            "\"build\":\"" + Version.build() + "\"");
            // Camel's own: per route only, not per endpoint nor for the whole context (a few meters per exchange)
            assertThat(metrics)
                    .containsPattern("camel_exchanges_total\\{.*routeId=\"create-jobs-kubernetes\"")
                    .doesNotContain("camel_exchange_event_notifier")
                    .doesNotContain("kind=\"CamelContext\"");
        }
    }

    @Test
    void readinessIsDownWhileBuildkiteCannotBeReachedButThePodStaysReady() throws Exception {
        int port = FreePort.find();
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.MANAGEMENT_PORT, port))) {
            for (int i = 0; i < 30; i++) {
                h.buildkite().enqueueGraphqlFault(Fault.status(503));
            }
            h.start();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> get(port, "/observe/health/ready").body().contains("last poll failed: http_503"));
            assertThat(get(port, "/observe/health/ready").statusCode()).isEqualTo(503);
            // The first poll can fail before our Jobs are first listed (the pod is not ready until then): wait for it.
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> get(port, "/observe/health/pod").body().contains("\"status\":\"UP\""));
            assertThat(get(port, "/observe/health/ready").body()).contains("last poll failed: http_503");
            assertThat(get(port, "/observe/health/live").statusCode()).isEqualTo(200);
        }
    }

    /** The original's prometheus-port: its scrape configs ask for /metrics there, beside our management port. */
    @Test
    void prometheusPortServesTheSameMetricsAtSlashMetrics() throws Exception {
        int management = FreePort.find();
        int prometheus = FreePort.find();
        try (ControllerHarness h = new ControllerHarness(
                b -> b.set(Options.MANAGEMENT_PORT, management).set(Options.PROMETHEUS_PORT, prometheus))) {
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);

            // The endpoint is added once Camel has started, which may be just after the first Job is created.
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> get(prometheus, "/metrics").statusCode() == 200);
            HttpResponse<String> metrics = get(prometheus, "/metrics");
            assertThat(metrics.headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains(
                            "buildkite_limiter_max_in_flight{queue=\"kubernetes\"} 25.0",
                            "buildkite_scheduler_job_creations_total{outcome=\"created\",queue=\"kubernetes\"",
                            "jvm_");
            // Only the metrics: health stays on the management port.
            assertThat(get(prometheus, "/observe/health/ready").statusCode()).isEqualTo(404);
            assertThat(get(management, "/observe/metrics").statusCode()).isEqualTo(200);
        }
    }
}
