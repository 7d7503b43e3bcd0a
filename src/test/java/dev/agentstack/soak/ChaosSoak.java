package dev.agentstack.soak;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.sandbox.ClusterSimulator;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.scheduling.InFlightJobs;
import dev.agentstack.testing.AutoConfiguredKubernetes;
import dev.agentstack.testing.FreePort;
import dev.agentstack.testing.ReplicaPods;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The soak (run with {@code mvn -B -Psoak verify}): the packaged controller, as its own process, against FakeBuildkite
 * and the embedded Kubernetes API under faults, while jobs arrive over time, once per job source
 * ({@code -Dsoak.buildkite-api=graphql|stacks|both}, default both, GraphQL first).
 * <ul>
 *   <li>about 20% of the source's calls fail: GraphQL polls (500, 502, 429 with Retry-After, timeouts, GraphQL errors,
 *       malformed JSON), or the Stacks API's list, reserve and get-job calls (the same, less GraphQL errors);</li>
 *   <li>the API server fails some Job creations with 500, stores some but loses the answer, and closes watches;</li>
 *   <li>the cluster simulator runs each pod for a random time; finished Jobs are deleted as the TTL controller
 *       would;</li>
 *   <li>run 1: one controller killed (SIGKILL) and started again three times; run 2: two replicas with leader
 *       election, the leader killed twice (its pod goes, a new replica starts).</li>
 * </ul>
 * Checked from the API server's own records: every job created exactly once (a Job deleted and created again counts as
 * a duplicate), unfinished Jobs never above max-in-flight (from an ordered watch of our Jobs), neither token in the
 * controllers' logs, metrics or created Jobs, and heap and threads back to their steady level once the work is done.
 * With the Stacks API also, from the fake's records: every Job's job was reserved by the controller's stack before the
 * Job was stored, and no job was finished through the Stacks API (every soak job is valid).
 * Prints a {@code SOAK ...} and a {@code SOAK-HA ...} line per source; exits non-zero when a check fails.
 */
public final class ChaosSoak {

    static final String NAMESPACE = "soak";
    static final int LIMIT = Integer.getInteger("soak.maxInFlight", 100);
    static final int ARRIVALS_PER_SECOND = Integer.getInteger("soak.arrivalsPerSecond", 30);
    static final double FAULT_SHARE = 0.2;
    /** The Stacks API calls a poll makes for its jobs; the soak's faults hit these, as they hit every GraphQL poll. */
    static final Set<String> STACKS_FAULTY_ENDPOINTS = Set.of("scheduled-jobs", "batch-reserve", "get-job");
    /**
     * A job reserved for a controller that then cannot create its Job (a 5xx, a kill, a reservation whose answer timed
     * out) is hidden until its reservation expires; 30s rather than the default 900s keeps such jobs within the run.
     */
    static final int STACKS_RESERVATION_EXPIRY_SECONDS = 30;

    static final String CONTROLLER_JVM_OPTIONS =
            "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k" + " -XX:MaxDirectMemorySize=32m";

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/agent-stack-camel.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first");
        }
        int jobs = Integer.getInteger("soak.jobs", 10_000);
        int haJobs = Integer.getInteger("soak.haJobs", jobs);
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        for (String api : sources(System.getProperty("soak.buildkite-api", "both"))) {
            if (jobs > 0) {
                Result single = new ChaosSoak(jar, api, jobs, 1, 3, 1).run();
                lines.add(single.line("SOAK"));
                ok &= single.passed();
            }
            if (haJobs > 0) {
                Result ha = new ChaosSoak(jar, api, haJobs, 2, 2, 2).run();
                lines.add(ha.line("SOAK-HA"));
                ok &= ha.passed();
            }
        }
        lines.forEach(System.out::println);
        System.exit(ok ? 0 : 1);
    }

    /** The job sources to soak, in order, from the soak.buildkite-api property. */
    static List<String> sources(String property) {
        return switch (property.trim()) {
            case "both", "" -> List.of("graphql", "stacks");
            case "graphql", "stacks" -> List.of(property.trim());
            default ->
                throw new IllegalArgumentException(
                        "soak.buildkite-api must be graphql, stacks or both, got \"" + property + "\"");
        };
    }

    /**
     * @param unreserved    Stacks API: Jobs stored for a job this controller's stack had not reserved (-1: GraphQL)
     * @param lapsed        Stacks API: Jobs stored after the job's reservation had expired (reported, not a failure)
     * @param finishedValid Stacks API: valid jobs finished through the Stacks API (-1: GraphQL)
     */
    record Result(
            String api,
            int jobs,
            int lost,
            int duplicates,
            int maxInFlightSeen,
            int restarts,
            int faults,
            long peakHeapMb,
            int leaks,
            long steadyHeapMb,
            long endHeapMb,
            int steadyThreads,
            int endThreads,
            int unreserved,
            int lapsed,
            int finishedValid,
            double seconds) {
        boolean passed() {
            return lost == 0
                    && unreserved <= 0
                    && finishedValid <= 0
                    && duplicates == 0
                    && maxInFlightSeen <= LIMIT
                    && leaks == 0
                    && endHeapMb <= steadyHeapMb + 16
                    && endThreads <= steadyThreads + 4;
        }

        String line(String name) {
            System.out.printf(
                    "%s details: %.0fs, heap after GC steady %d MiB -> end %d MiB, threads steady %d -> end %d,"
                            + " secrets leaked %d: %s%n",
                    name + " " + api,
                    seconds,
                    steadyHeapMb,
                    endHeapMb,
                    steadyThreads,
                    endThreads,
                    leaks,
                    passed() ? "passed" : "FAILED");
            String stacks = api.equals("stacks")
                    ? String.format(" unreserved=%d lapsed=%d finished_valid=%d", unreserved, lapsed, finishedValid)
                    : "";
            return String.format(
                    "%s api=%s jobs=%d lost=%d duplicates=%d max_in_flight_seen=%d limit=%d restarts=%d faults=%d"
                            + " peak_heap_mb=%d%s",
                    name, api, jobs, lost, duplicates, maxInFlightSeen, LIMIT, restarts, faults, peakHeapMb, stacks);
        }
    }

    private final Path jar;
    private final String api;
    private final int jobs;
    private final int replicas;
    private final int kills;
    private final long seed;
    private final String token =
            "bkua_soak_sentinel_" + UUID.randomUUID().toString().replace("-", "");
    private final String agentToken =
            "bkag_soak_sentinel_" + UUID.randomUUID().toString().replace("-", "");
    private final List<Replica> running = new CopyOnWriteArrayList<>();
    private final List<Path> logs = new CopyOnWriteArrayList<>();
    private final AtomicLong peakHeapKb = new AtomicLong();
    private int started;

    private ChaosSoak(Path jar, String api, int jobs, int replicas, int kills, long seed) {
        this.jar = jar;
        this.api = api;
        this.jobs = jobs;
        this.replicas = replicas;
        this.kills = kills;
        this.seed = seed;
    }

    private record Replica(String name, Process process, int managementPort) {}

    Result run() throws Exception {
        long startedAt = System.nanoTime();
        KubernetesChaos[] chaos = new KubernetesChaos[1];
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes(
                        d -> chaos[0] = new KubernetesChaos(d, 0.03, 0.02, 0.3, seed, List.of(token, agentToken)));
                FakeBuildkite buildkite = FakeBuildkite.start("soak", token).withAgentToken(agentToken)) {
            List<Fault> httpFaults = List.of(
                    Fault.status(500),
                    Fault.status(502),
                    Fault.rateLimited(1),
                    Fault.delay(Duration.ofSeconds(3)),
                    Fault.malformedJson());
            if (stacks()) {
                buildkite.stacks().randomFaults(FAULT_SHARE, seed, httpFaults, STACKS_FAULTY_ENDPOINTS);
            } else {
                List<Fault> graphqlFaults = new ArrayList<>(httpFaults);
                graphqlFaults.add(Fault.graphqlErrors("Internal error"));
                buildkite.randomGraphqlFaults(FAULT_SHARE, seed, graphqlFaults);
            }
            kubernetes
                    .client()
                    .secrets()
                    .inNamespace(NAMESPACE)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("buildkite-agent-token")
                            .endMetadata()
                            .addToData(
                                    "BUILDKITE_AGENT_TOKEN",
                                    Base64.getEncoder().encodeToString(agentToken.getBytes(StandardCharsets.UTF_8)))
                            .build())
                    .create();

            Map<String, Boolean> unfinished = new ConcurrentHashMap<>();
            AtomicInteger maxInFlight = new AtomicInteger();
            ScheduledExecutorService ttl = Executors.newSingleThreadScheduledExecutor();
            Random random = new Random(seed);
            String selector = JobLabels.controllerSelector("agent-stack-camel");
            // One ordered stream of our Jobs' changes: the largest set of unfinished Jobs the API server ever held.
            Watch jobWatch = kubernetes
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(NAMESPACE)
                    .withLabelSelector(selector)
                    .watch(new Watcher<Job>() {
                        @Override
                        public synchronized void eventReceived(Action action, Job job) {
                            String name = job.getMetadata().getName();
                            if (action == Action.DELETED || InFlightJobs.isFinished(job)) {
                                if (unfinished.remove(name) != null && action != Action.DELETED) {
                                    // the TTL controller: finished Jobs and their pods go after a while
                                    ttl.schedule(() -> deleteJob(kubernetes, job), 1, TimeUnit.SECONDS);
                                }
                            } else {
                                unfinished.put(name, true);
                                maxInFlight.accumulateAndGet(unfinished.size(), Math::max);
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            if (cause != null) {
                                System.out.println("soak: the soak's own Job watch closed: " + cause);
                            }
                        }
                    });
            ClusterSimulator cluster = new ClusterSimulator(
                    kubernetes.newClient(),
                    NAMESPACE,
                    selector,
                    () -> Duration.ofMillis(100 + nextInt(random, 1000)),
                    uuid -> {
                        synchronized (buildkite) {
                            if ("SCHEDULED".equals(buildkite.state(uuid))) {
                                buildkite.acquireAsAnotherAgent(uuid); // the pod's agent takes the job
                            }
                        }
                    });
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleWithFixedDelay(this::sampleHeap, 2, 3, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < replicas; i++) {
                    start(kubernetes, buildkite);
                }
                List<String> uuids = new ArrayList<>();
                long period = TimeUnit.SECONDS.toNanos(1) / ARRIVALS_PER_SECOND;
                long next = System.nanoTime();
                int killed = 0;
                for (int i = 0; i < jobs; i++) {
                    next += period;
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    synchronized (buildkite) {
                        uuids.add(buildkite.scheduleCommand("soak " + i, "queue=kubernetes"));
                    }
                    if (killed < kills && i + 1 == (killed + 1) * jobs / (kills + 1)) {
                        killed++;
                        kill(kubernetes, buildkite, killed == kills);
                    }
                    if (i % 1000 == 999) {
                        System.out.printf(
                                "soak: %d jobs scheduled, %d Jobs stored, %d unfinished, faults %d%n",
                                i + 1,
                                chaos[0].storedInOrder.size(),
                                unfinished.size(),
                                sourceFaults(buildkite) + chaos[0].faults());
                    }
                }
                Set<String> wanted = ConcurrentHashMap.newKeySet();
                uuids.forEach(u -> wanted.add(PodSpecBuilder.jobName(u)));
                // as long as Jobs keep being created: the fakes, not the controller, set the pace on two cores
                awaitWhileProgressing(
                        () -> chaos[0].stored.keySet().containsAll(wanted),
                        () -> chaos[0].storedInOrder.size(),
                        Duration.ofMinutes(2),
                        "every job's Job");
                // The work is done: stop the faults, let the last Jobs finish, then compare with the steady level.
                chaos[0].calm();
                buildkite.randomGraphqlFaults(0, seed, List.of());
                buildkite.stacks().randomFaults(0, seed, List.of(), Set.of());
                await(unfinished::isEmpty, Duration.ofMinutes(2), "the last Jobs to finish");
                unfinished.keySet().stream().sorted().limit(10).forEach(name -> describe(kubernetes, name));
                Replica last = running.get(running.size() - 1);
                long[] end = afterGc(last);

                List<String> lost = uuids.stream()
                        .filter(u -> !chaos[0].stored.containsKey(PodSpecBuilder.jobName(u)))
                        .toList();
                int duplicates = chaos[0].stored.values().stream()
                        .mapToInt(n -> n.get() - 1)
                        .sum();
                chaos[0].storedAt.forEach((name, times) -> {
                    if (times.size() > 1) {
                        System.out.printf(
                                "soak: %s was stored %d times, at %s%n",
                                name,
                                times.size(),
                                times.stream()
                                        .map(t -> java.time.Instant.ofEpochMilli(t)
                                                .toString())
                                        .toList());
                    }
                });
                lost.forEach(u -> System.out.println("soak: no Job was ever stored for job " + u));
                int leaks = leaks(buildkite, chaos[0]);
                int faults = sourceFaults(buildkite) + chaos[0].faults();
                Map<String, String> jobOf = new LinkedHashMap<>();
                uuids.forEach(u -> jobOf.put(PodSpecBuilder.jobName(u), u));
                StacksRecords stacksRecords = stacks()
                        ? StacksRecords.check(buildkite.stacks(), chaos[0].storedAt, jobOf)
                        : StacksRecords.NOT_USED;
                stacksRecords.findings().stream().limit(20).forEach(System.out::println);
                System.out.printf(
                        "soak: %s; Kubernetes: %d creations failed, %d answers lost, %d watches dropped%n",
                        stacks()
                                ? String.format(
                                        "Stacks API faults %d of %d list/reserve/get-job requests, %d reservations",
                                        buildkite.stacks().randomFaultsAnswered(),
                                        buildkite.stacks().randomFaultCandidates(),
                                        buildkite.stacks().reservations().size())
                                : String.format(
                                        "GraphQL faults %d of %d requests (%d points)",
                                        buildkite.randomFaultsAnswered(),
                                        buildkite.graphqlRequests().size(),
                                        buildkite.graphqlPointsSpent()),
                        chaos[0].createFailures.get(),
                        chaos[0].lostAnswers.get(),
                        chaos[0].watchesDropped.get());
                return new Result(
                        api,
                        jobs,
                        lost.size(),
                        duplicates,
                        maxInFlight.get(),
                        kills,
                        faults,
                        peakHeapKb.get() / 1024,
                        leaks,
                        steady[0] / 1024,
                        end[0] / 1024,
                        (int) steady[1],
                        (int) end[1],
                        stacksRecords.unreserved(),
                        stacksRecords.lapsed(),
                        stacksRecords.finishedValid(),
                        (System.nanoTime() - startedAt) / 1e9);
            } finally {
                sampler.shutdownNow();
                for (Replica r : running) {
                    r.process().destroy();
                    r.process().waitFor(20, TimeUnit.SECONDS);
                }
                cluster.close();
                jobWatch.close();
                ttl.shutdownNow();
            }
        }
    }

    /** Heap after a full GC (KiB) and live threads of the last replica, taken once it has worked a while. */
    private volatile long[] steady = {Long.MAX_VALUE, Long.MAX_VALUE};

    private void start(EmbeddedKubernetes kubernetes, FakeBuildkite buildkite) throws IOException {
        String name = "replica-" + (char) ('a' + started++);
        if (replicas > 1) {
            // what the Camel Kubernetes cluster service looks at: the candidates' pods, Running and Ready
            kubernetes
                    .client()
                    .pods()
                    .inNamespace(NAMESPACE)
                    .resource(ReplicaPods.runningAndReady(name))
                    .create();
        }
        int port = FreePort.find();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("soak.controllerJvmOptions", "");
        command.addAll(List.of(
                (flags.isBlank() ? CONTROLLER_JVM_OPTIONS : flags).trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString(), "run"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        AutoConfiguredKubernetes.putEnvironment(env, kubernetes);
        env.put("POD_NAME", name);
        Map<String, String> options = new LinkedHashMap<>();
        if (stacks()) {
            // As agent-stack-k8s users run it: the agent token (from its Secret) only, no GraphQL token, no org.
            options.put("BUILDKITE_API", "stacks");
            options.put("RESERVATION_EXPIRY_SECONDS", String.valueOf(STACKS_RESERVATION_EXPIRY_SECONDS));
        } else {
            env.put("BUILDKITE_TOKEN", token);
            options.put("ORG", "soak");
            options.put("GRAPHQL_ENDPOINT", buildkite.graphqlEndpoint());
        }
        options.put("AGENT_ENDPOINT", buildkite.agentEndpoint());
        options.put("NAMESPACE", NAMESPACE);
        options.put("MAX_IN_FLIGHT", String.valueOf(LIMIT));
        options.put("POLL_INTERVAL", "1s");
        options.put("HTTP_TIMEOUT", "2s");
        options.put("K8S_CLIENT_RATE_LIMITER_QPS", "0");
        options.put("GRAPHQL_PAGE_SIZE", "500");
        // One page per poll: with 20% of calls failing, a poll of n pages succeeds only 0.8^n of the time, and a
        // backlog of thousands (left by a restart) would keep failing every poll and doubling the backoff.
        options.put("PAGINATION_DEPTH_LIMIT", "1");
        // A creation that failed with a 5xx holds its slot until a list shows whether the Job exists; lists come
        // every 5s here rather than every 30s, as the injected 5xx are far more frequent than in a real cluster.
        options.put("IN_FLIGHT_RECONCILE_INTERVAL", "5s");
        options.put("MANAGEMENT_PORT", String.valueOf(port));
        if (replicas > 1) {
            options.put("LEADER_ELECTION", "true");
            options.put("LEADER_ELECTION_LEASE_DURATION", "3s");
            options.put("LEADER_ELECTION_RENEW_DEADLINE", "2s");
            options.put("LEADER_ELECTION_RETRY_PERIOD", "500ms");
        }
        options.forEach((k, v) -> env.put("AGENT_STACK_" + k, v));
        Path log = Path.of("target", "soak-" + api + "-" + (replicas > 1 ? "ha-" : "") + name + ".log");
        logs.add(log);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Replica r = new Replica(name, pb.start(), port);
        running.add(r);
        System.out.printf(
                "soak: started %s (pid %d, log %s)%n", name, r.process().pid(), log);
    }

    /** SIGKILL: a crash or an OOM kill, no shutdown hook. With replicas, the leader, and its pod goes with it. */
    private void kill(EmbeddedKubernetes kubernetes, FakeBuildkite buildkite, boolean last) throws Exception {
        Replica victim = running.get(0);
        if (replicas > 1) {
            Lease lease = kubernetes
                    .client()
                    .leases()
                    .inNamespace(NAMESPACE)
                    .withName("agent-stack-camel-leader")
                    .get();
            String holder = lease == null || lease.getSpec() == null
                    ? null
                    : lease.getSpec().getHolderIdentity();
            victim = running.stream()
                    .filter(r -> r.name().equals(holder))
                    .findFirst()
                    .orElse(victim);
        }
        victim.process().destroyForcibly();
        victim.process().waitFor(20, TimeUnit.SECONDS);
        running.remove(victim);
        System.out.printf("soak: killed %s%n", victim.name());
        if (replicas > 1) {
            kubernetes
                    .client()
                    .pods()
                    .inNamespace(NAMESPACE)
                    .withName(victim.name())
                    .delete();
        }
        start(kubernetes, buildkite);
        if (last) {
            steady = new long[] {0, 0}; // measured by the sampler once the new replica has worked a while
        }
    }

    private void sampleHeap() {
        for (Replica r : running) {
            try {
                long kb = heapKb(r.process().pid());
                peakHeapKb.accumulateAndGet(kb, Math::max);
            } catch (Exception e) {
                // the replica is being killed
            }
        }
        // The steady level: the last replica, 20s after it started, after a full GC.
        Replica last = running.isEmpty() ? null : running.get(running.size() - 1);
        if (last != null
                && steady[0] == 0
                && last.process()
                        .info()
                        .startInstant()
                        .map(t -> Duration.between(t, java.time.Instant.now()).toSeconds() > 20)
                        .orElse(false)) {
            try {
                steady = afterGc(last);
            } catch (Exception e) {
                // try again on the next sample
            }
        }
    }

    /** Heap used after a full GC (KiB) and live thread count of a replica. */
    private static long[] afterGc(Replica r) throws Exception {
        new ProcessBuilder("jcmd", String.valueOf(r.process().pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
        return new long[] {heapKb(r.process().pid()), threads(r.process().pid())};
    }

    /** Heap used (KiB): survivor, eden and old generation columns of jstat -gc. */
    static long heapKb(long pid) throws Exception {
        Process p = new ProcessBuilder("jstat", "-gc", String.valueOf(pid))
                .redirectErrorStream(true)
                .start();
        String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .trim()
                .split("\n");
        p.waitFor();
        String[] head = lines[0].trim().split("\\s+");
        String[] vals = lines[lines.length - 1].trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < head.length; i++) {
            if (List.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
                kb += Double.parseDouble(vals[i]);
            }
        }
        return (long) kb;
    }

    static long threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Places either token showed up: controller logs, metrics, stored Jobs, failure messages sent to Buildkite. */
    private int leaks(FakeBuildkite buildkite, KubernetesChaos chaos) throws Exception {
        int leaks = chaos.forbiddenSeen.size();
        List<String> texts = new ArrayList<>();
        for (Path log : logs) {
            texts.add(Files.readString(log));
        }
        HttpClient http = HttpClient.newHttpClient();
        for (Replica r : running) {
            texts.add(http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + r.managementPort() + "/observe/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
        }
        buildkite.agentCalls().forEach(c -> texts.add(c.body()));
        buildkite.stacks().finishes().forEach(f -> texts.add(f.detail()));
        buildkite.stacks().notifications().forEach(n -> texts.add(n.detail()));
        for (String text : texts) {
            if (text != null && (text.contains(token) || text.contains(agentToken))) {
                leaks++;
            }
        }
        return leaks;
    }

    private boolean stacks() {
        return api.equals("stacks");
    }

    /** The random faults the job source answered. */
    private int sourceFaults(FakeBuildkite buildkite) {
        return stacks() ? buildkite.stacks().randomFaultsAnswered() : buildkite.randomFaultsAnswered();
    }

    private static void deleteJob(EmbeddedKubernetes kubernetes, Job job) {
        try {
            kubernetes
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(NAMESPACE)
                    .withName(job.getMetadata().getName())
                    .delete();
            kubernetes
                    .client()
                    .pods()
                    .inNamespace(NAMESPACE)
                    .withLabel(JobLabels.JOB_UUID, job.getMetadata().getLabels().get(JobLabels.JOB_UUID))
                    .delete();
        } catch (RuntimeException e) {
            // gone already
        }
    }

    private static synchronized int nextInt(Random random, int bound) {
        return random.nextInt(bound);
    }

    /** Waits for the condition while the counter keeps moving; gives up after {@code stall} without progress. */
    private static void awaitWhileProgressing(
            BooleanSupplier condition, java.util.function.IntSupplier progress, Duration stall, String what)
            throws InterruptedException {
        int last = progress.getAsInt();
        long lastMoved = System.nanoTime();
        while (!condition.getAsBoolean()) {
            int now = progress.getAsInt();
            if (now != last) {
                last = now;
                lastMoved = System.nanoTime();
            } else if (System.nanoTime() - lastMoved > stall.toNanos()) {
                System.out.println("soak: gave up waiting for " + what + ": no progress for " + stall);
                return;
            }
            Thread.sleep(200);
        }
    }

    /** What the API server holds of a Job the soak still counts as unfinished, and of its pods. */
    private static void describe(EmbeddedKubernetes kubernetes, String jobName) {
        Job job = kubernetes
                .client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(NAMESPACE)
                .withName(jobName)
                .get();
        List<String> pods =
                kubernetes
                        .client()
                        .pods()
                        .inNamespace(NAMESPACE)
                        .withLabel("job-name", jobName)
                        .list()
                        .getItems()
                        .stream()
                        .map(p ->
                                p.getMetadata().getName() + " " + p.getStatus().getPhase())
                        .toList();
        System.out.printf(
                "soak: unfinished %s: %s; pods %s%n",
                jobName, job == null ? "gone" : "status " + job.getStatus(), pods);
    }

    private static void await(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                System.out.println("soak: gave up waiting for " + what + " after " + max);
                return;
            }
            Thread.sleep(200);
        }
    }
}
