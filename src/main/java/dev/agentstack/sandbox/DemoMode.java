package dev.agentstack.sandbox;

import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.config.QueueConfig;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineException;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.runtime.AgentTokenSecret;
import dev.agentstack.runtime.Controller;
import dev.agentstack.scheduling.InFlightJobs;
import dev.agentstack.scheduling.JobSelection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * {@code demo}: the real controller and routes against an embedded fake Buildkite and Kubernetes API, seeded with the
 * pipelines of {@code examples/pipelines}, with the cluster simulator playing the job controller and kubelet. Prints a
 * line per Buildkite job and the Kubernetes Job created for it, what became of it, and the message of every job the
 * controller failed; when it ends, the jobs it left alone and the counts. An example with a config in
 * {@code examples/configs} runs under it, as a queue of its own ({@link ExampleQueues}).
 */
public final class DemoMode {

    public static final String ORG = "demo";
    /** The demo reports image failures sooner than a real cluster would need. */
    static final Duration DEMO_IMAGE_PULL_GRACE = Duration.ofSeconds(3);

    private DemoMode() {}

    /** One seeded Buildkite job and what the demo says about it. */
    record Seeded(String file, PipelineJob job, boolean ours) {

        /** The example's name: its file name without the extension. */
        String name() {
            return file.replaceFirst("\\.ya?ml$", "");
        }
    }

    public static int run(
            Map<String, String> options, String configFile, long maxSeconds, Map<String, String> env, PrintStream out)
            throws InterruptedException {
        ControllerConfig base = ConfigLoader.load(options, configFile, env, false);
        // Real-looking secrets that must never be printed.
        String token = "demo-" + UUID.randomUUID();
        String agentToken = "demo-agent-" + UUID.randomUUID();
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
                FakeBuildkite buildkite = FakeBuildkite.start(ORG, token).withAgentToken(agentToken)) {
            ExampleQueues examples = ExampleQueues.load();
            ControllerConfig config = demoConfig(base, examples, buildkite, token);
            createAgentTokenSecret(kubernetes, config, agentToken);
            out.println("demo: fake Buildkite at " + buildkite.baseUrl() + " (GraphQL /v1, agent API /v3), embedded"
                    + " Kubernetes API at " + kubernetes.url() + ", simulated cluster");
            List<Seeded> seeded = seed(buildkite, config, examples, out);
            Map<String, Seeded> byUuid = new ConcurrentHashMap<>();
            seeded.forEach(s -> byUuid.put(s.job().job().uuid(), s));
            long started = System.nanoTime();
            Report report = new Report(out, byUuid, started);
            // Ctrl-C ends the JVM before run() returns: the hook prints the summary then.
            Thread summaryOnExit = new Thread(() -> report.summary(buildkite), "demo-summary");
            Runtime.getRuntime().addShutdownHook(summaryOnExit);

            try (ClusterSimulator cluster = new ClusterSimulator(
                            watching(kubernetes.newClient()),
                            config.namespace(),
                            JobLabels.controllerSelector(config.id()),
                            Duration.ofSeconds(2),
                            uuid -> {});
                    Watch ignored = watching(kubernetes.client())
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace(config.namespace())
                            .watch(new Watcher<Job>() {
                                @Override
                                public void eventReceived(Action action, Job job) {
                                    report.jobEvent(action, job, buildkite);
                                }

                                @Override
                                public void onClose(WatcherException cause) {
                                    // the demo is ending
                                }
                            });
                    Controller controller = new Controller(config, kubernetes.newClient())) {
                ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "demo-report");
                    t.setDaemon(true);
                    return t;
                });
                watcher.scheduleWithFixedDelay(() -> report.failures(buildkite), 200, 200, TimeUnit.MILLISECONDS);
                out.println("demo: controller running for queues "
                        + config.queues().stream().map(QueueConfig::name).collect(Collectors.joining(", "))
                        + (maxSeconds > 0 ? " for " + maxSeconds + "s" : "; Ctrl-C stops it"));
                int exit = controller.runUntilStopped(maxSeconds * 1000);
                watcher.shutdownNow();
                report.summary(buildkite);
                removeHook(summaryOnExit);
                return exit;
            }
        }
    }

    /**
     * The client, with fabric8's registry of kinds built now: built on the first watch event instead, it holds that
     * client's Vert.x event loop for seconds and Vert.x prints "Thread blocked" (the controller does the same).
     */
    static <C extends KubernetesClient> C watching(C client) {
        Controller.registerKubernetesKinds(client);
        return client;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    /** The configuration the demo runs with: the user's, pointed at the fakes, with a queue per example config. */
    static ControllerConfig demoConfig(
            ControllerConfig base, ExampleQueues examples, FakeBuildkite buildkite, String token) {
        ControllerConfig.Builder demo = base.toBuilder();
        if (!base.isSet(Options.MANAGEMENT_PORT)) {
            demo.set(Options.MANAGEMENT_PORT, 0); // only when asked: 8080 may be taken on a laptop
        }
        if (!base.isSet(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD)) {
            demo.set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, DEMO_IMAGE_PULL_GRACE);
        }
        return demo.set(Options.ORG, ORG)
                .set(Options.BUILDKITE_TOKEN, token)
                .set(Options.GRAPHQL_ENDPOINT, buildkite.graphqlEndpoint())
                .set(Options.AGENT_ENDPOINT, buildkite.agentEndpoint())
                .setFromYaml(Options.QUEUES, examples.queues(base))
                .build();
    }

    /** The agent-token Secret the controller reads to fail jobs, as the chart would create it. */
    static void createAgentTokenSecret(EmbeddedKubernetes kubernetes, ControllerConfig config, String agentToken) {
        kubernetes
                .client()
                .secrets()
                .inNamespace(config.namespace())
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(config.agentTokenSecret())
                        .endMetadata()
                        .addToData(
                                AgentTokenSecret.KEY,
                                Base64.getEncoder().encodeToString(agentToken.getBytes(StandardCharsets.UTF_8)))
                        .build())
                .create();
    }

    /** What the demo prints as things happen. */
    private static final class Report {
        final PrintStream out;
        final Map<String, Seeded> byUuid;
        final long started;
        final Set<String> created = ConcurrentHashMap.newKeySet();
        final Set<String> passed = ConcurrentHashMap.newKeySet();
        final Set<String> failed = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean summarized = new AtomicBoolean();

        Report(PrintStream out, Map<String, Seeded> byUuid, long started) {
            this.out = out;
            this.byUuid = byUuid;
            this.started = started;
        }

        void jobEvent(Watcher.Action action, Job job, FakeBuildkite buildkite) {
            String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
            if (uuid == null) {
                return;
            }
            if (action == Watcher.Action.ADDED && created.add(uuid)) {
                line(
                        uuid,
                        "-> created Kubernetes Job " + job.getMetadata().getName() + " (containers: "
                                + job.getSpec().getTemplate().getSpec().getContainers().stream()
                                        .map(Container::getName)
                                        .collect(Collectors.joining(", "))
                                + ")");
            }
            if (action == Watcher.Action.MODIFIED
                    && InFlightJobs.isFinished(job)
                    && job.getStatus().getSucceeded() != null
                    && job.getStatus().getSucceeded() > 0
                    && passed.add(uuid)) {
                buildkite.finishAsAgent(uuid, "0"); // the simulated agent ran the job
                line(uuid, "passed (simulated agent)");
            }
        }

        void failures(FakeBuildkite buildkite) {
            for (FakeJob.Snapshot s : buildkite.snapshots()) {
                if ("stack_error".equals(s.signalReason()) && failed.add(s.uuid())) {
                    line(s.uuid(), "was failed by the controller (exit status " + s.exitStatus() + "); its log:");
                    s.log().lines().forEach(l -> out.println("demo:     | " + l));
                }
            }
        }

        /**
         * Once, when the demo ends: a line for each job the controller left alone, then the counts. A job the
         * controller failed may have had a Job created first (it could not pull its image), so it counts in both.
         */
        void summary(FakeBuildkite buildkite) {
            if (!summarized.compareAndSet(false, true)) {
                return;
            }
            try {
                failures(buildkite);
            } catch (RuntimeException stopped) {
                // the fake Buildkite is already closed: the failures seen so far stand
            }
            int ignored = 0;
            for (Seeded s : byUuid.values()) {
                String uuid = s.job().job().uuid();
                if (!created.contains(uuid) && !failed.contains(uuid)) {
                    ignored++;
                    line(
                            uuid,
                            s.ours()
                                    ? "ignored: the controller had not taken it yet"
                                    : "ignored: not ours (no queue of this controller takes "
                                            + String.join(",", s.job().job().agentQueryRules()) + ")");
                }
            }
            long failedAfterCreation = failed.stream().filter(created::contains).count();
            out.printf(
                    "demo: summary: %d created, %d failed by the controller, %d ignored (of %d Buildkite jobs;"
                            + " %d passed; %d failed after their Job was created)%n",
                    created.size(), failed.size(), ignored, byUuid.size(), passed.size(), failedAfterCreation);
        }

        synchronized void line(String uuid, String what) {
            Seeded s = byUuid.get(uuid);
            out.printf(
                    "demo: %5.1fs job %s \"%s\" %s%n",
                    (System.nanoTime() - started) / 1e9,
                    shortId(uuid),
                    s == null ? "?" : s.job().label(),
                    what);
        }
    }

    static List<Seeded> seed(
            FakeBuildkite buildkite, ControllerConfig config, ExampleQueues examples, PrintStream out) {
        List<JobSelection> queues = config.queues().stream()
                .map(q -> new JobSelection(q.tags(), new SimpleMeterRegistry()))
                .toList();
        Map<String, String> pipelines = ExamplePipelines.load();
        List<Seeded> seeded = new ArrayList<>();
        for (Map.Entry<String, String> p : pipelines.entrySet()) {
            String name = p.getKey().replaceFirst("\\.ya?ml$", "");
            List<PipelineJob> jobs;
            try {
                jobs = new PipelineReader(
                                PipelineContext.local(ORG, name),
                                () -> UUID.randomUUID().toString())
                        .read(p.getValue());
            } catch (PipelineException e) {
                out.println("demo: skipping " + p.getKey() + ": " + e.getMessage());
                continue;
            }
            for (PipelineJob read : jobs) {
                PipelineJob job = new PipelineJob(
                        read.label(), read.key(), examples.retag(name, read.job(), config), read.problem());
                buildkite.addJob(job.job(), job.label(), null);
                seeded.add(new Seeded(p.getKey(), job, queues.stream().anyMatch(q -> q.skipReason(job.job()) == null)));
            }
        }
        out.println("demo: scheduled " + seeded.size() + " Buildkite jobs from " + pipelines.size() + " pipelines in "
                + ExamplePipelines.FOLDER + ":");
        for (Seeded s : seeded) {
            out.printf(
                    "demo:   %s %-36s %-34s %s%n",
                    shortId(s.job().job().uuid()),
                    s.file(),
                    "\"" + s.job().label() + "\"",
                    String.join(",", s.job().job().agentQueryRules())
                            + (s.ours() ? "" : "  (not our queue: the controller ignores it)")
                            + (examples.names().contains(s.name())
                                    ? "  (config: " + ExampleQueues.FOLDER + "/" + s.name() + ".yaml)"
                                    : ""));
        }
        return seeded;
    }

    private static String shortId(String uuid) {
        return uuid.substring(0, 8);
    }
}
