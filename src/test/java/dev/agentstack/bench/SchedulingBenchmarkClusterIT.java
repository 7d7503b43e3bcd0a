package dev.agentstack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduling benchmark's dispatch measure on a real API server (with admission, RBAC, etcd and the Job
 * controller making pods for kwok to run): a bare fabric8 loop creates -Dbench.cluster.jobs (200) Jobs with
 * job-creation-concurrency threads, then the controller, in this process, meets a backlog of as many jobs. Prints one
 * {@code BENCH-CLUSTER} line; it asserts only that every Job was created, never a time. The controller runs with the
 * default client write limit unless -Dbench.cluster.qps says otherwise (0 lifts it), so both can be compared.
 */
@ExtendWith(LocalCluster.class)
class SchedulingBenchmarkClusterIT {

    private static final int JOBS = Integer.getInteger("bench.cluster.jobs", 200);
    private static final int QPS = Integer.getInteger("bench.cluster.qps", Options.DEFAULT_K8S_CLIENT_QPS);
    private static final Duration WAIT = Duration.ofMinutes(4);

    @Test
    void printsTheControllersDispatchTimeNextToABareClients() throws Exception {
        double baseline = baselineSeconds();
        try (ControllerHarness h = ControllerHarness.onCluster(
                        LocalCluster::newClient,
                        "bench",
                        b -> b.set(Options.MAX_IN_FLIGHT, 0)
                                .set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                                .set(Options.K8S_CLIENT_RATE_LIMITER_QPS, QPS)
                                .set(Options.GRAPHQL_PAGE_SIZE, 500));
                JobArrivals arrivals = new JobArrivals(h)) {
            List<String> commands =
                    IntStream.range(0, JOBS).mapToObj(i -> "echo " + i).toList();
            List<String> uuids = h.buildkite().scheduleCommands(commands, "queue=kubernetes");
            h.start();
            await().atMost(WAIT).until(() -> arrivals.at.keySet().containsAll(uuids));

            Instant firstRead = h.buildkite().jobsReads().stream()
                    .filter(r -> r.count() > 0)
                    .map(FakeBuildkite.JobsRead::at)
                    .min(Instant::compareTo)
                    .orElseThrow();
            List<Long> millis = new ArrayList<>(uuids.stream()
                    .map(u -> Duration.between(firstRead, arrivals.at.get(u)).toMillis())
                    .toList());
            Collections.sort(millis);
            double dispatch = millis.get(millis.size() - 1) / 1000.0;
            long p99 = millis.get((int) Math.ceil(millis.size() * 0.99) - 1);
            System.out.printf(
                    "BENCH-CLUSTER jobs=%d dispatch_s=%.2f baseline_s=%.2f ratio=%.2f p99_ms=%d%n",
                    JOBS, dispatch, baseline, dispatch / baseline, p99);
            assertThat(arrivals.at).hasSize(JOBS);
        }
    }

    /** Seconds for a bare client with as many threads as the controller's default to create as many Jobs. */
    private static double baselineSeconds() throws InterruptedException {
        String namespace =
                "bench-baseline-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36), 36);
        ExecutorService pool = Executors.newFixedThreadPool(Options.DEFAULT_JOB_CREATION_CONCURRENCY);
        try (KubernetesClient client = LocalCluster.newClient()) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(namespace)
                            .endMetadata()
                            .build())
                    .create();
            client.serviceAccounts()
                    .inNamespace(namespace)
                    .withName("default")
                    .waitUntilCondition(Objects::nonNull, 60, TimeUnit.SECONDS);
            List<Job> jobs = BareFabric8Creator.jobs(JOBS);
            jobs.forEach(j -> j.getMetadata().setNamespace(namespace));
            return BareFabric8Creator.create(client, pool, jobs, namespace);
        } finally {
            pool.shutdownNow();
        }
    }

    /** When each of our Jobs first appeared, by job uuid, as a watch sees them. */
    private static final class JobArrivals implements AutoCloseable {
        final Map<String, Instant> at = new ConcurrentHashMap<>();
        private final Watch watch;

        JobArrivals(ControllerHarness h) {
            watch = h.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(h.namespace())
                    .withLabel(JobLabels.JOB_UUID)
                    .watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, Job job) {
                            at.putIfAbsent(job.getMetadata().getLabels().get(JobLabels.JOB_UUID), Instant.now());
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // the benchmark ends
                        }
                    });
        }

        @Override
        public void close() {
            watch.close();
        }
    }
}
