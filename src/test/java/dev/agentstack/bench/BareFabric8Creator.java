package dev.agentstack.bench;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.podspec.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The benchmark's baseline as its own process, started with the controller's JVM flags: a bare fabric8 loop that
 * creates Jobs with a fixed number of threads. The controller's overhead is then compared with the same client on
 * the same runtime (JIT, heap, collector), not with a client warmed by C2 in the benchmark's own JVM.
 * <p>
 * Finds the API server as the controller does (KUBERNETES_MASTER). Reads commands on stdin: {@code create <n>
 * <namespace>} builds n Jobs with our builder (not timed), creates them, and answers {@code created <seconds>};
 * end of input exits.
 */
public final class BareFabric8Creator {

    /** The configuration the benchmark's Jobs are built with, here and by the controller under test. */
    static final ControllerConfig CONFIG = ControllerConfig.builder()
            .set(Options.ORG, "bench")
            .set(Options.NAMESPACE, "bench")
            .build();

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] command = line.trim().split(" ");
                if (command.length != 3 || !command[0].equals("create")) {
                    System.out.println("error: expected create <n> <namespace>, got " + line);
                    continue;
                }
                System.out.printf(
                        "created %.3f%n", create(client, pool, jobs(Integer.parseInt(command[1])), command[2]));
                System.out.flush();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static List<Job> jobs(int n) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String uuid = UUID.randomUUID().toString();
            jobs.add(PodSpecBuilder.build(
                            new BuildkiteJob(
                                    null,
                                    uuid,
                                    "echo " + i,
                                    List.of("queue=kubernetes"),
                                    0,
                                    null,
                                    List.of("BUILDKITE_COMMAND=echo " + i)),
                            CONFIG)
                    .job());
        }
        return jobs;
    }

    /** Seconds to create the Jobs with the pool's threads. */
    static double create(KubernetesClient client, ExecutorService pool, List<Job> jobs, String namespace)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(jobs.size());
        long start = System.nanoTime();
        for (Job job : jobs) {
            pool.execute(() -> {
                try {
                    client.batch()
                            .v1()
                            .jobs()
                            .inNamespace(namespace)
                            .resource(job)
                            .create();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        return (System.nanoTime() - start) / 1e9;
    }
}
