package dev.agentstack.tracking;

import dev.agentstack.buildkite.FailureReport;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.kubernetes.KubernetesJobs;
import dev.agentstack.memory.RecentKeys;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The events routes' view of findings: classifies pod and Job events (skipping jobs already reported), re-checks the
 * live state before anyone acts, turns a finding into the failure report Buildkite gets, and records that it was
 * acted on, once per job: in memory (bounded, expiring) and as an annotation on the Job, which survives restarts.
 * Metric: {@code buildkite_watcher_findings_total{reason}}. The routes call {@link #ofPod} and {@link #ofJob} for every
 * event; they bind the action header and the object with Camel's parameter annotations.
 *
 * <p>Findings wait for act-on-finding's one worker in a queue that never blocks a watch: a job is queued once until it
 * has been acted on ({@link #enqueue}, {@link #inProgress}), however often watch resyncs report it again, and at most
 * {@value #MAX_QUEUED} jobs wait. One that is not queued is not lost: the next resync reports it again. Metric:
 * {@code buildkite_watcher_findings_not_queued_total{reason="already_queued"|"queue_full"}}.
 */
public final class Findings {

    static final int MEMORY = 10_000;
    /** Camel's default seda size, which act-on-finding's queue keeps: a claim always finds room. */
    static final int MAX_QUEUED = 1000;

    static final Duration MEMORY_TTL = Duration.ofHours(6);

    private final PodFailureClassifier classifier;
    private final KubernetesJobs jobs;
    private final List<String> fallbackTags;
    private final Clock clock;
    private final MeterRegistry registry;
    private final RecentKeys<String> reported;
    /** Jobs queued for act-on-finding or being acted on. */
    private final java.util.Set<String> queued = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param fallbackTags tags to register with when a job's own are unknown (the controller's queue tag) */
    public Findings(
            PodFailureClassifier classifier,
            KubernetesJobs jobs,
            List<String> fallbackTags,
            Clock clock,
            MeterRegistry registry) {
        this(classifier, jobs, fallbackTags, clock, registry, System::nanoTime);
    }

    /** @param nanos the monotonic clock the memory of reported jobs expires by */
    Findings(
            PodFailureClassifier classifier,
            KubernetesJobs jobs,
            List<String> fallbackTags,
            Clock clock,
            MeterRegistry registry,
            java.util.function.LongSupplier nanos) {
        this.reported = new RecentKeys<>(MEMORY, MEMORY_TTL, nanos);
        this.classifier = classifier;
        this.jobs = jobs;
        this.fallbackTags = List.copyOf(fallbackTags);
        this.clock = clock;
        this.registry = registry;
    }

    /** What a pod event shows, or null. */
    public Finding ofPod(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Pod pod) {
        var finding =
                "DELETED".equals(action) ? classifier.classifyDeleted(pod) : classifier.classify(pod, clock.instant());
        return unreported(finding.orElse(null));
    }

    /** What a Job event shows, or null. */
    public Finding ofJob(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Job job) {
        if ("DELETED".equals(action)) {
            return null;
        }
        if (job.getMetadata().getAnnotations() != null
                && job.getMetadata().getAnnotations().containsKey(JobLabels.FAILURE_REPORTED)) {
            return null;
        }
        return unreported(classifier.classify(job, clock.instant()).orElse(null));
    }

    /**
     * Claims a place in act-on-finding's queue for the finding (null: nothing to queue). False when its job is queued
     * or being acted on already, or {@value #MAX_QUEUED} jobs wait: the watch goes on, and a later resync sees it.
     */
    public synchronized boolean enqueue(Finding f) {
        if (f == null) {
            return false;
        }
        String notQueued =
                queued.contains(f.uuid()) ? "already_queued" : queued.size() >= MAX_QUEUED ? "queue_full" : null;
        if (notQueued != null) {
            registry.counter("buildkite.watcher.findings.not.queued", "reason", notQueued)
                    .increment();
            return false;
        }
        queued.add(f.uuid());
        return true;
    }

    /** act-on-finding took the finding: its job may be queued again once this exchange is done, however it ends. */
    public void inProgress(Finding f, Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                queued.remove(f.uuid());
            }
        });
    }

    /** How many jobs are queued for act-on-finding or being acted on. */
    public int queued() {
        return queued.size();
    }

    private Finding unreported(Finding f) {
        return f == null || reported.contains(f.uuid()) ? null : f;
    }

    /**
     * Reads the live objects again: a cached event can be stale, and another replica or an earlier run may have
     * reported the job already. A pod that died or was deleted is judged even when its Job is gone.
     */
    public boolean stillActionable(Finding f) {
        if (reported.contains(f.uuid())) {
            return false;
        }
        Job live = jobs.live(f.jobName());
        if (live != null
                && live.getMetadata().getAnnotations() != null
                && live.getMetadata().getAnnotations().containsKey(JobLabels.FAILURE_REPORTED)) {
            reported.add(f.uuid());
            return false;
        }
        if ("no_pod".equals(f.reason())) {
            return live != null
                    && jobs.pods(f.jobName()).isEmpty()
                    && classifier.classify(live, clock.instant()).isPresent();
        }
        return live != null || "pod_died".equals(f.reason());
    }

    public boolean noLongerActionable(Finding f) {
        return !stillActionable(f);
    }

    /** The report Buildkite gets: the message with the events of the pod or Job. */
    public FailureReport report(Finding f) {
        List<Event> events = switch (f.eventsOf()) {
            case POD -> f.podName() == null ? List.of() : jobs.events("Pod", f.podName());
            case JOB -> jobs.events("Job", f.jobName());
            case NONE -> List.of();
        };
        String message = FailureMessages.render(f, events, clock.instant());
        return new FailureReport(
                f.uuid(),
                f.jobName(),
                f.tags().isEmpty() ? fallbackTags : f.tags(),
                f.reason(),
                message,
                f.exitStatus(),
                f.cancelIfTaken());
    }

    /** Records that the finding was acted on (whatever the outcome), so it is acted on once. */
    public void acted(Finding f) {
        reported.add(f.uuid());
        registry.counter("buildkite.watcher.findings", "reason", f.reason()).increment();
        jobs.markReported(f.jobName(), f.reason());
    }

    /** Something else (the cancel checker) dealt with the job: pod and Job events about it need no finding. */
    public void remember(String uuid) {
        reported.add(uuid);
    }

    /** For tests and metrics: how many jobs are remembered as reported. */
    public int remembered() {
        return reported.size();
    }
}
