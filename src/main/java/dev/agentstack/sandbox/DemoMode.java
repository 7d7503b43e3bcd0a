package dev.agentstack.sandbox;

import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineException;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.runtime.Controller;
import dev.agentstack.scheduling.JobSelection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@code demo}: the real controller and routes against an embedded fake Buildkite and Kubernetes API, seeded with the
 * pipelines of {@code examples/pipelines}. Prints a line per Buildkite job and the Kubernetes Job created for it.
 */
public final class DemoMode {

    public static final String ORG = "demo";

    private DemoMode() {
    }

    /** One seeded Buildkite job and what the demo says about it. */
    private record Seeded(String file, PipelineJob job, boolean ours) {
    }

    public static int run(Map<String, String> options, String configFile, long maxSeconds, Map<String, String> env,
                          PrintStream out) throws InterruptedException {
        ControllerConfig base = ConfigLoader.load(options, configFile, env, false);
        String token = "demo-" + UUID.randomUUID(); // a real-looking secret that must never be printed
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
             FakeBuildkite buildkite = FakeBuildkite.start(ORG, token)) {
            ControllerConfig.Builder demo = base.toBuilder();
            if (!base.isSet(Options.MANAGEMENT_PORT)) {
                demo.set(Options.MANAGEMENT_PORT, 0); // only when asked: 8080 may be taken on a laptop
            }
            ControllerConfig config = demo
                    .set(Options.ORG, ORG)
                    .set(Options.BUILDKITE_TOKEN, token)
                    .set(Options.GRAPHQL_ENDPOINT, buildkite.graphqlEndpoint())
                    .build();
            out.println("demo: fake Buildkite GraphQL API at " + buildkite.graphqlEndpoint()
                    + ", embedded Kubernetes API at " + kubernetes.url());
            List<Seeded> seeded = seed(buildkite, config, out);
            Map<String, Seeded> byUuid = new ConcurrentHashMap<>();
            seeded.forEach(s -> byUuid.put(s.job().job().uuid(), s));
            Set<String> created = ConcurrentHashMap.newKeySet();
            long started = System.nanoTime();
            try (Watch ignored = kubernetes.client().batch().v1().jobs().inNamespace(config.namespace())
                    .watch(new Watcher<Job>() {
                        @Override
                        public void eventReceived(Action action, Job job) {
                            String uuid = job.getMetadata().getLabels().get(PodSpecBuilder.LABEL_JOB_UUID);
                            if (action == Action.ADDED && uuid != null && created.add(uuid)) {
                                Seeded s = byUuid.get(uuid);
                                out.printf("demo: %.1fs job %s \"%s\" -> created Kubernetes Job %s (containers: %s)%n",
                                        (System.nanoTime() - started) / 1e9, shortId(uuid),
                                        s == null ? "?" : s.job().label(), job.getMetadata().getName(),
                                        job.getSpec().getTemplate().getSpec().getContainers().stream()
                                                .map(Container::getName).collect(Collectors.joining(", ")));
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // the demo is ending
                        }
                    });
                 Controller controller = new Controller(config, kubernetes.newClient())) {
                out.println("demo: controller running for queue=" + config.queue()
                        + (maxSeconds > 0 ? " for " + maxSeconds + "s" : "; Ctrl-C stops it"));
                int exit = controller.runUntilStopped(maxSeconds * 1000);
                long ours = seeded.stream().filter(Seeded::ours).count();
                out.printf("demo: stopped: %d of %d jobs for queue=%s have a Kubernetes Job; %d job(s) for other"
                                + " queues left alone%n", created.size(), ours, config.queue(), seeded.size() - ours);
                return exit;
            }
        }
    }

    private static List<Seeded> seed(FakeBuildkite buildkite, ControllerConfig config, PrintStream out) {
        JobSelection selection = new JobSelection(config.tags(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Map<String, String> pipelines = ExamplePipelines.load();
        List<Seeded> seeded = new ArrayList<>();
        for (Map.Entry<String, String> p : pipelines.entrySet()) {
            String name = p.getKey().replaceFirst("\\.ya?ml$", "");
            List<PipelineJob> jobs;
            try {
                jobs = new PipelineReader(PipelineContext.local(ORG, name), () -> UUID.randomUUID().toString())
                        .read(p.getValue());
            } catch (PipelineException e) {
                out.println("demo: skipping " + p.getKey() + ": " + e.getMessage());
                continue;
            }
            for (PipelineJob job : jobs) {
                buildkite.addJob(job.job(), job.label(), null);
                seeded.add(new Seeded(p.getKey(), job, selection.skipReason(job.job()) == null));
            }
        }
        out.println("demo: scheduled " + seeded.size() + " Buildkite jobs from " + pipelines.size()
                + " pipelines in " + ExamplePipelines.FOLDER + ":");
        for (Seeded s : seeded) {
            out.printf("demo:   %s %-28s %-36s %s%n", shortId(s.job().job().uuid()), s.file(),
                    "\"" + s.job().label() + "\"", String.join(",", s.job().job().agentQueryRules())
                            + (s.ours() ? "" : "  (not our queue: the controller ignores it)"));
        }
        return seeded;
    }

    private static String shortId(String uuid) {
        return uuid.substring(0, 8);
    }
}
