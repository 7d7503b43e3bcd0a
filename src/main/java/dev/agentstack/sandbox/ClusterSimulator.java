package dev.agentstack.sandbox;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the Job controller and the kubelet against the CRUD mock API server, which runs neither: for each of our Jobs
 * it creates the pod, moves it through Pending, Running and Succeeded or Failed, sets containers' waiting and
 * terminated reasons, keeps the Job's status and conditions, and records Events as the real components would.
 *
 * <p>What happens to a Job is its {@link Scenario}: scripted per job uuid by tests, else read from the pod spec the way
 * a cluster would fail it (an image named {@code *does-not-exist*} cannot be pulled, an image reference Kubernetes
 * rejects is InvalidImageName, an init container whose command ends with {@code exit N} fails with N). A container
 * named in {@link #neverExits} keeps running after the agent ends, as a plain container added by a pod-spec patch may.
 * A Job's {@code activeDeadlineSeconds} is honoured: when it passes, the pod is ended and deleted, and the Job fails
 * with reason DeadlineExceeded.
 */
public final class ClusterSimulator implements AutoCloseable {

    /** What the cluster does with a Job. */
    public enum Scenario {
        /** Pod runs, the agent runs the job, the pod succeeds. */
        SUCCEEDS,
        /** A container's image cannot be pulled: ErrImagePull, then ImagePullBackOff, pod stays Pending. */
        IMAGE_PULL_FAILS,
        /** An image reference Kubernetes rejects: InvalidImageName at once. */
        INVALID_IMAGE_NAME,
        /** A Secret or ConfigMap the pod needs is missing: CreateContainerConfigError. */
        MISSING_CONFIG,
        /** An init container exits non-zero; the pod fails. */
        INIT_CONTAINER_FAILS,
        /** No node fits: the pod stays Pending with FailedScheduling events. */
        UNSCHEDULABLE,
        /** The pod is never created: FailedCreate events on the Job (e.g. a missing service account). */
        NO_POD,
        /** The pod is OOM-killed before the agent acquires the job. */
        OOM_KILLED_BEFORE_ACQUIRE,
        /** The pod is evicted before the agent acquires the job. */
        EVICTED_BEFORE_ACQUIRE,
        /** The agent runs and takes the job, but the first command container's image cannot be pulled. */
        IMAGE_PULL_FAILS_WHILE_AGENT_RUNS,
        /** The job runs, then its first command container is OOMKilled; the agent reports the job's failure. */
        OOM_KILLED_WHILE_RUNNING,
        /** The job runs, then the pod is evicted (node pressure): every container is killed. */
        EVICTED_WHILE_RUNNING
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.agentstack.sandbox");
    private static final Pattern EXIT = Pattern.compile("exit\\s+(\\d+)\\s*$");

    private final KubernetesClient client;
    private final String namespace;
    private final Supplier<Duration> runFor;
    private final Map<String, Scenario> scripted = new ConcurrentHashMap<>();
    private final Map<String, Integer> agentExitCodes = new ConcurrentHashMap<>();
    private final Set<String> neverExit = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> seen = new ConcurrentHashMap<>();
    /** Per Job, the activeDeadlineSeconds whose expiry is scheduled: each deadline is watched once. */
    private final Map<String, Long> deadlines = new ConcurrentHashMap<>();

    private final ScheduledExecutorService kubelet = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "cluster-simulator");
        t.setDaemon(true);
        return t;
    });
    private final Consumer<String> agentAcquires;
    private final Watch watch;

    /**
     * @param runFor        how long a pod that succeeds runs
     * @param agentAcquires called with the job uuid when a pod's agent would acquire its job (e.g. to move
     *                      FakeBuildkite's job out of SCHEDULED); may do nothing
     */
    public ClusterSimulator(
            KubernetesClient client,
            String namespace,
            String labelSelector,
            Duration runFor,
            Consumer<String> agentAcquires) {
        this(client, namespace, labelSelector, () -> runFor, agentAcquires);
    }

    /** @param runFor how long each pod that succeeds runs, asked once per pod (the soak draws it at random) */
    public ClusterSimulator(
            KubernetesClient client,
            String namespace,
            String labelSelector,
            Supplier<Duration> runFor,
            Consumer<String> agentAcquires) {
        this.client = client;
        this.namespace = namespace;
        this.runFor = runFor;
        this.agentAcquires = agentAcquires;
        this.watch = client.batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withLabelSelector(labelSelector)
                .watch(new Watcher<Job>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                        if (action == Action.ADDED
                                && seen.putIfAbsent(job.getMetadata().getName(), true) == null) {
                            kubelet.execute(() -> start(job));
                        }
                        if (action != Action.DELETED) {
                            watchDeadline(job);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // the simulation is over
                    }
                });
    }

    /** Decides what happens to the job with this uuid, whatever its pod spec says. */
    public ClusterSimulator script(String uuid, Scenario scenario) {
        scripted.put(uuid, scenario);
        return this;
    }

    /** Containers of this name (e.g. one a pod-spec patch adds) run on after the agent ends, until the pod is ended. */
    public ClusterSimulator neverExits(String containerName) {
        neverExit.add(containerName);
        return this;
    }

    /** The exit code of the job's agent container when it ends while another container runs on (default 0). */
    public ClusterSimulator agentExits(String uuid, int exitCode) {
        agentExitCodes.put(uuid, exitCode);
        return this;
    }

    /** The scenario for a Job: scripted, else read from its pod spec. */
    Scenario scenarioOf(Job job) {
        String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
        Scenario s = uuid == null ? null : scripted.get(uuid);
        if (s != null) {
            return s;
        }
        var spec = job.getSpec().getTemplate().getSpec();
        List<Container> all = new ArrayList<>(spec.getInitContainers());
        all.addAll(spec.getContainers());
        for (Container c : all) {
            String image = c.getImage() == null ? "" : c.getImage();
            if (!image.equals(image.toLowerCase(Locale.ROOT)) || image.contains(" ")) {
                return Scenario.INVALID_IMAGE_NAME;
            }
            if (image.contains("does-not-exist")) {
                return Scenario.IMAGE_PULL_FAILS;
            }
        }
        for (Container c : spec.getInitContainers()) {
            if (!"Always".equals(c.getRestartPolicy()) && initExitCode(c) != 0) {
                return Scenario.INIT_CONTAINER_FAILS;
            }
        }
        return Scenario.SUCCEEDS;
    }

    private static int initExitCode(Container c) {
        List<String> words = new ArrayList<>();
        if (c.getCommand() != null) {
            words.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            words.addAll(c.getArgs());
        }
        Matcher m = EXIT.matcher(words.isEmpty() ? "" : words.get(words.size() - 1));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private void start(Job job) {
        try {
            simulate(job, scenarioOf(job));
        } catch (KubernetesClientException gone) {
            // the controller deleted the Job meanwhile: nothing left to simulate
        } catch (RuntimeException e) {
            LOG.warn(
                    "cluster simulator could not simulate Job {}: {}",
                    job.getMetadata().getName(),
                    e.toString());
        }
    }

    private void simulate(Job job, Scenario scenario) {
        String jobName = job.getMetadata().getName();
        if (scenario == Scenario.NO_POD) {
            event(
                    job,
                    "Warning",
                    "FailedCreate",
                    "Error creating: pods \"" + jobName + "-x\" is forbidden: error looking" + " up service account "
                            + namespace + "/builder: serviceaccount \"builder\" not found");
            updateJob(
                    jobName,
                    j -> new JobBuilder(j)
                            .editOrNewStatus()
                            .withStartTime(now())
                            .withActive(0)
                            .endStatus()
                            .build());
            return;
        }
        Pod pod = createPod(job);
        String podName = pod.getMetadata().getName();
        event(job, "Normal", "SuccessfulCreate", "Created pod: " + podName);
        updateJob(
                jobName,
                j -> new JobBuilder(j)
                        .editOrNewStatus()
                        .withStartTime(now())
                        .withActive(1)
                        .endStatus()
                        .build());
        var spec = pod.getSpec();
        switch (scenario) {
            case UNSCHEDULABLE -> {
                updatePod(
                        podName,
                        p -> withStatus(
                                p,
                                "Pending",
                                null,
                                null,
                                List.of(condition(
                                        "PodScheduled",
                                        "False",
                                        "Unschedulable",
                                        "0/3 nodes are available: 3 node(s) didn't match Pod's node"
                                                + " affinity/selector.")),
                                List.of(),
                                List.of()));
                event(
                        pod,
                        "Warning",
                        "FailedScheduling",
                        "0/3 nodes are available: 3 node(s) didn't match Pod's node"
                                + " affinity/selector. preemption: 0/3 nodes are available.");
            }
            case IMAGE_PULL_FAILS, INVALID_IMAGE_NAME, MISSING_CONFIG -> {
                event(pod, "Normal", "Scheduled", "Successfully assigned " + namespace + "/" + podName + " to node-1");
                Container bad = firstBadContainer(spec, scenario);
                boolean init = spec.getInitContainers().contains(bad);
                String reason = switch (scenario) {
                    case INVALID_IMAGE_NAME -> "InvalidImageName";
                    case MISSING_CONFIG -> "CreateContainerConfigError";
                    default -> "ErrImagePull";
                };
                String message = switch (scenario) {
                    case INVALID_IMAGE_NAME ->
                        "Failed to apply default image tag \"" + bad.getImage()
                                + "\": couldn't parse image"
                                + " name \"" + bad.getImage() + "\": invalid reference format: repository name must be"
                                + " lowercase";
                    case MISSING_CONFIG -> "secret \"missing-secret\" not found";
                    default ->
                        "rpc error: code = NotFound desc = failed to pull and unpack image \"" + bad.getImage()
                                + "\": not found";
                };
                updatePod(podName, p -> waiting(p, bad, init, reason, message));
                if (scenario == Scenario.IMAGE_PULL_FAILS) {
                    event(pod, "Warning", "Failed", "Failed to pull image \"" + bad.getImage() + "\": " + message);
                    kubelet.schedule(
                            () -> guarded(() -> {
                                updatePod(
                                        podName,
                                        p -> waiting(
                                                p,
                                                bad,
                                                init,
                                                "ImagePullBackOff",
                                                "Back-off pulling image \"" + bad.getImage() + "\""));
                                event(pod, "Warning", "BackOff", "Back-off pulling image \"" + bad.getImage() + "\"");
                            }),
                            200,
                            TimeUnit.MILLISECONDS);
                } else {
                    event(pod, "Warning", "Failed", "Error: " + reason);
                }
            }
            case IMAGE_PULL_FAILS_WHILE_AGENT_RUNS ->
                kubelet.schedule(
                        () -> guarded(() -> {
                            Container bad = spec.getContainers().get(0);
                            String message = "rpc error: code = NotFound desc = failed to pull and unpack image \""
                                    + bad.getImage() + "\": not found";
                            updatePod(
                                    podName,
                                    p -> withStatus(
                                            p,
                                            "Pending",
                                            now(),
                                            null,
                                            List.of(),
                                            List.of(),
                                            running(spec.getContainers().stream()
                                                    .filter(c -> c != bad)
                                                    .toList())));
                            updatePod(podName, p -> waiting(p, bad, false, "ErrImagePull", message));
                            event(
                                    pod,
                                    "Warning",
                                    "Failed",
                                    "Failed to pull image \"" + bad.getImage() + "\": " + message);
                            String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
                            if (uuid != null) {
                                agentAcquires.accept(uuid);
                            }
                        }),
                        100,
                        TimeUnit.MILLISECONDS);
            case INIT_CONTAINER_FAILS -> {
                Container failing = spec.getInitContainers().stream()
                        .filter(c -> !"Always".equals(c.getRestartPolicy()) && initExitCode(c) != 0)
                        .findFirst()
                        .orElse(
                                spec.getInitContainers().isEmpty()
                                        ? spec.getContainers().get(0)
                                        : spec.getInitContainers().get(0));
                int code = Math.max(1, initExitCode(failing));
                event(pod, "Normal", "Scheduled", "Successfully assigned " + namespace + "/" + podName + " to node-1");
                kubelet.schedule(
                        () -> guarded(() -> {
                            updatePod(podName, p -> terminated(p, failing, true, code, "Error", "Failed"));
                            failJob(jobName, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
                        }),
                        100,
                        TimeUnit.MILLISECONDS);
            }
            case OOM_KILLED_BEFORE_ACQUIRE ->
                kubelet.schedule(
                        () -> guarded(() -> {
                            Container victim = spec.getContainers().get(0);
                            updatePod(podName, p -> terminated(p, victim, false, 137, "OOMKilled", "Failed"));
                            failJob(jobName, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
                        }),
                        100,
                        TimeUnit.MILLISECONDS);
            case EVICTED_BEFORE_ACQUIRE ->
                kubelet.schedule(
                        () -> guarded(() -> {
                            updatePod(
                                    podName,
                                    p -> new PodBuilder(p)
                                            .editOrNewStatus()
                                            .withPhase("Failed")
                                            .withReason("Evicted")
                                            .withMessage(
                                                    "The node was low on resource: memory. Threshold quantity: 100Mi,"
                                                            + " available: 54Mi.")
                                            .endStatus()
                                            .build());
                            event(pod, "Warning", "Evicted", "The node was low on resource: memory.");
                            failJob(jobName, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
                        }),
                        100,
                        TimeUnit.MILLISECONDS);
            default -> {
                event(pod, "Normal", "Scheduled", "Successfully assigned " + namespace + "/" + podName + " to node-1");
                long runsFor = runFor.get().toMillis();
                kubelet.schedule(
                        () -> guarded(() -> {
                            updatePod(
                                    podName,
                                    p -> withStatus(
                                            p,
                                            "Running",
                                            now(),
                                            null,
                                            List.of(condition("Ready", "True", null, null)),
                                            List.of(),
                                            running(spec.getContainers())));
                            String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
                            if (uuid != null) {
                                agentAcquires.accept(uuid);
                            }
                            // Scheduled only once the pod runs: two steps of one pod due together on the two kubelet
                            // threads
                            // used to race, and the loser left the pod Running and its Job unfinished for ever.
                            if (scenario == Scenario.OOM_KILLED_WHILE_RUNNING
                                    || scenario == Scenario.EVICTED_WHILE_RUNNING) {
                                kubelet.schedule(
                                        () -> guarded(() -> killWhileRunning(job, pod, scenario)),
                                        100,
                                        TimeUnit.MILLISECONDS);
                                return;
                            }
                            kubelet.schedule(
                                    () -> guarded(() -> {
                                        List<Container> stay = spec.getContainers().stream()
                                                .filter(c -> neverExit.contains(c.getName()))
                                                .toList();
                                        if (!stay.isEmpty()) {
                                            // The job's containers and the agent end; the ones that never exit hold the
                                            // pod Running.
                                            int agentExit = uuid == null ? 0 : agentExitCodes.getOrDefault(uuid, 0);
                                            updatePod(
                                                    podName,
                                                    p -> new PodBuilder(p)
                                                            .editStatus()
                                                            .withContainerStatuses(endedExcept(
                                                                            p.getStatus()
                                                                                    .getContainerStatuses(),
                                                                            stay,
                                                                            0,
                                                                            "Completed")
                                                                    .stream()
                                                                    .map(c -> "agent".equals(c.getName())
                                                                                    && agentExit != 0
                                                                            ? exited(c, agentExit, "Error")
                                                                            : c)
                                                                    .toList())
                                                            .endStatus()
                                                            .build());
                                            return;
                                        }
                                        updatePod(
                                                podName,
                                                p -> new PodBuilder(p)
                                                        .editOrNewStatus()
                                                        .withPhase("Succeeded")
                                                        .endStatus()
                                                        .build());
                                        updateJob(
                                                jobName,
                                                j -> new JobBuilder(j)
                                                        .editOrNewStatus()
                                                        .withActive(0)
                                                        .withSucceeded(1)
                                                        .withCompletionTime(now())
                                                        .withConditions(new JobConditionBuilder()
                                                                .withType("Complete")
                                                                .withStatus("True")
                                                                .withLastTransitionTime(now())
                                                                .build())
                                                        .endStatus()
                                                        .build());
                                    }),
                                    runsFor,
                                    TimeUnit.MILLISECONDS);
                        }),
                        100,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * The kubelet ends a running pod: an OOM kill of the first command container (the agent then reports the job's
     * failure and exits 0), or an eviction (every container killed, exit 137). The pod and its Job fail.
     */
    private void killWhileRunning(Job job, Pod pod, Scenario scenario) {
        String podName = pod.getMetadata().getName();
        if (scenario == Scenario.OOM_KILLED_WHILE_RUNNING) {
            String victim = pod.getSpec().getContainers().get(0).getName();
            updatePod(
                    podName,
                    p -> new PodBuilder(p)
                            .editStatus()
                            .withPhase("Failed")
                            .withContainerStatuses(p.getStatus().getContainerStatuses().stream()
                                    .map(c -> c.getName().equals(victim)
                                            ? exited(c, 137, "OOMKilled")
                                            : exited(c, 0, "Completed"))
                                    .toList())
                            .endStatus()
                            .build());
        } else {
            updatePod(
                    podName,
                    p -> new PodBuilder(p)
                            .editStatus()
                            .withPhase("Failed")
                            .withReason("Evicted")
                            .withMessage(
                                    "The node was low on resource: memory. Threshold quantity: 100Mi, available: 54Mi.")
                            .withContainerStatuses(
                                    endedExcept(p.getStatus().getContainerStatuses(), List.of(), 137, "Error"))
                            .endStatus()
                            .build());
            event(pod, "Warning", "Evicted", "The node was low on resource: memory.");
        }
        failJob(job.getMetadata().getName(), "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    }

    /** As the Job controller does with activeDeadlineSeconds: counted from the Job's startTime. */
    private void watchDeadline(Job job) {
        Long seconds = job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds();
        String name = job.getMetadata().getName();
        if (seconds == null || finished(job) || seconds.equals(deadlines.put(name, seconds))) {
            return;
        }
        String started = job.getStatus() == null ? null : job.getStatus().getStartTime();
        Instant start = started == null ? Instant.now() : Instant.parse(started);
        long delay = Math.max(
                0, Duration.between(Instant.now(), start.plusSeconds(seconds)).toMillis());
        kubelet.schedule(() -> guarded(() -> deadlinePassed(name, seconds)), delay, TimeUnit.MILLISECONDS);
    }

    private void deadlinePassed(String jobName, long seconds) {
        Job job = client.batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(jobName)
                .get();
        if (job == null
                || finished(job)
                || !Long.valueOf(seconds).equals(job.getSpec().getActiveDeadlineSeconds())) {
            return; // gone, done, or given another deadline (watched on its own)
        }
        for (Pod pod : client.pods()
                .inNamespace(namespace)
                .withLabel("batch.kubernetes.io/job-name", jobName)
                .list()
                .getItems()) {
            String podName = pod.getMetadata().getName();
            updatePod(
                    podName,
                    p -> new PodBuilder(p)
                            .editStatus()
                            .withPhase("Failed")
                            .withReason("DeadlineExceeded")
                            .withMessage("Pod was active on the node longer than the specified deadline")
                            .withContainerStatuses(
                                    endedExcept(p.getStatus().getContainerStatuses(), List.of(), 137, "Error"))
                            .endStatus()
                            .build());
            event(pod, "Normal", "Killing", "Stopping container (deadline exceeded)");
            client.pods()
                    .inNamespace(namespace)
                    .withName(podName)
                    .withGracePeriod(0)
                    .delete();
        }
        event(job, "Warning", "DeadlineExceeded", "Job was active longer than specified deadline");
        updateJob(
                jobName,
                j -> new JobBuilder(j)
                        .editOrNewStatus()
                        .withActive(0)
                        .withFailed(1)
                        .withConditions(new JobConditionBuilder()
                                .withType("Failed")
                                .withStatus("True")
                                .withReason("DeadlineExceeded")
                                .withMessage("Job was active longer than specified deadline")
                                .withLastTransitionTime(now())
                                .build())
                        .endStatus()
                        .build());
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null
                && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream()
                        .anyMatch(c -> "True".equals(c.getStatus())
                                && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
    }

    /** The statuses with every container not yet terminated (except {@code keep}) terminated with this exit code. */
    private static List<ContainerStatus> endedExcept(
            List<ContainerStatus> statuses, List<Container> keep, int exitCode, String reason) {
        List<ContainerStatus> out = new ArrayList<>();
        for (ContainerStatus s : statuses) {
            boolean kept = keep.stream().anyMatch(c -> c.getName().equals(s.getName()));
            if (kept || s.getState() != null && s.getState().getTerminated() != null) {
                out.add(s);
                continue;
            }
            out.add(exited(s, exitCode, reason));
        }
        return out;
    }

    /** The container ended; one that was running keeps its start time, as the kubelet reports it. */
    private static ContainerStatus exited(ContainerStatus s, int exitCode, String reason) {
        String startedAt = s.getState() != null && s.getState().getRunning() != null
                ? s.getState().getRunning().getStartedAt()
                : null;
        return new ContainerStatusBuilder(s)
                .withReady(false)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(reason)
                .withStartedAt(startedAt)
                .withFinishedAt(now())
                .endTerminated()
                .endState()
                .build();
    }

    private static void guarded(Runnable step) {
        try {
            step.run();
        } catch (KubernetesClientException gone) {
            // deleted by the controller meanwhile
        }
    }

    private Container firstBadContainer(io.fabric8.kubernetes.api.model.PodSpec spec, Scenario scenario) {
        List<Container> all = new ArrayList<>(spec.getInitContainers());
        all.addAll(spec.getContainers());
        for (Container c : all) {
            String image = c.getImage() == null ? "" : c.getImage();
            boolean bad = scenario == Scenario.INVALID_IMAGE_NAME
                    ? !image.equals(image.toLowerCase(Locale.ROOT))
                    : image.contains("does-not-exist");
            if (bad) {
                return c;
            }
        }
        return spec.getContainers().get(0); // scripted: the first command container
    }

    private Pod createPod(Job job) {
        Map<String, String> labels =
                new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", job.getMetadata().getName());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        labels.put(
                "controller-uid",
                job.getMetadata().getUid() == null ? "" : job.getMetadata().getUid());
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(job.getMetadata().getName() + "-"
                        + UUID.randomUUID().toString().substring(0, 5))
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(job.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build();
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        return updatePod(
                created.getMetadata().getName(),
                p -> withStatus(
                        p,
                        "Pending",
                        now(),
                        null,
                        List.of(condition("PodScheduled", "True", null, null)),
                        waitingAll(p.getSpec().getInitContainers(), "PodInitializing"),
                        waitingAll(p.getSpec().getContainers(), "PodInitializing")));
    }

    private Pod updatePod(String name, java.util.function.UnaryOperator<Pod> change) {
        return retryingConflicts(
                () -> client.pods().inNamespace(namespace).withName(name).editStatus(change));
    }

    private void updateJob(String name, java.util.function.UnaryOperator<Job> change) {
        retryingConflicts(() ->
                client.batch().v1().jobs().inNamespace(namespace).withName(name).editStatus(change));
    }

    /** As the kubelet and the Job controller do: a status write that lost a race (409) reads again and retries. */
    private static <T> T retryingConflicts(Supplier<T> edit) {
        for (int attempt = 1; ; attempt++) {
            try {
                return edit.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void failJob(String name, String reason, String message) {
        updateJob(
                name,
                j -> new JobBuilder(j)
                        .editOrNewStatus()
                        .withActive(0)
                        .withFailed(1)
                        .withConditions(new JobConditionBuilder()
                                .withType("Failed")
                                .withStatus("True")
                                .withReason(reason)
                                .withMessage(message)
                                .withLastTransitionTime(now())
                                .build())
                        .endStatus()
                        .build());
    }

    private void event(HasMetadata about, String type, String reason, String message) {
        String at = now();
        client.v1()
                .events()
                .inNamespace(namespace)
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName(about.getMetadata().getName() + "."
                                + UUID.randomUUID().toString().substring(0, 8))
                        .withNamespace(namespace)
                        .endMetadata()
                        .withInvolvedObject(new ObjectReferenceBuilder()
                                .withKind(about.getKind())
                                .withName(about.getMetadata().getName())
                                .withNamespace(namespace)
                                .withUid(about.getMetadata().getUid())
                                .build())
                        .withType(type)
                        .withReason(reason)
                        .withMessage(message)
                        .withCount(1)
                        .withFirstTimestamp(at)
                        .withLastTimestamp(at)
                        .withNewSource()
                        .withComponent(about instanceof Pod ? "kubelet" : "job-controller")
                        .endSource()
                        .build())
                .create();
    }

    private static Pod withStatus(
            Pod p,
            String phase,
            String startTime,
            String reason,
            List<PodCondition> conditions,
            List<ContainerStatus> init,
            List<ContainerStatus> main) {
        var status = new PodBuilder(p)
                .editOrNewStatus()
                .withPhase(phase)
                .withReason(reason)
                .withConditions(conditions);
        if (startTime != null) {
            status.withStartTime(startTime);
        }
        if (!init.isEmpty() || p.getStatus() == null) {
            status.withInitContainerStatuses(init);
        }
        if (!main.isEmpty() || p.getStatus() == null) {
            status.withContainerStatuses(main);
        }
        return status.endStatus().build();
    }

    private static Pod waiting(Pod p, Container bad, boolean init, String reason, String message) {
        ContainerStatus s = new ContainerStatusBuilder()
                .withName(bad.getName())
                .withImage(bad.getImage())
                .withReady(false)
                .withRestartCount(0)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build();
        return replaceStatus(p, s, init);
    }

    private static Pod terminated(Pod p, Container c, boolean init, int exitCode, String reason, String phase) {
        ContainerStatus s = new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withReady(false)
                .withRestartCount(0)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(reason)
                .withStartedAt(now())
                .withFinishedAt(now())
                .endTerminated()
                .endState()
                .build();
        Pod changed = replaceStatus(p, s, init);
        return new PodBuilder(changed).editStatus().withPhase(phase).endStatus().build();
    }

    private static Pod replaceStatus(Pod p, ContainerStatus s, boolean init) {
        List<ContainerStatus> list = new ArrayList<>(
                init ? p.getStatus().getInitContainerStatuses() : p.getStatus().getContainerStatuses());
        list.removeIf(x -> x.getName().equals(s.getName()));
        list.add(s);
        var b = new PodBuilder(p).editStatus();
        return (init ? b.withInitContainerStatuses(list) : b.withContainerStatuses(list))
                .endStatus()
                .build();
    }

    private static List<ContainerStatus> waitingAll(List<Container> containers, String reason) {
        List<ContainerStatus> out = new ArrayList<>();
        for (Container c : containers) {
            out.add(new ContainerStatusBuilder()
                    .withName(c.getName())
                    .withImage(c.getImage())
                    .withReady(false)
                    .withRestartCount(0)
                    .withNewState()
                    .withNewWaiting()
                    .withReason(reason)
                    .endWaiting()
                    .endState()
                    .build());
        }
        return out;
    }

    private static List<ContainerStatus> running(List<Container> containers) {
        List<ContainerStatus> out = new ArrayList<>();
        for (Container c : containers) {
            out.add(new ContainerStatusBuilder()
                    .withName(c.getName())
                    .withImage(c.getImage())
                    .withReady(true)
                    .withRestartCount(0)
                    .withStarted(true)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(now())
                    .endRunning()
                    .endState()
                    .build());
        }
        return out;
    }

    private static PodCondition condition(String type, String status, String reason, String message) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(now())
                .build();
    }

    private static String now() {
        return Instant.now().toString();
    }

    @Override
    public void close() {
        watch.close();
        kubelet.shutdownNow();
    }
}
