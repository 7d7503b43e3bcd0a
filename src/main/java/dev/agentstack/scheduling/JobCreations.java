package dev.agentstack.scheduling;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.FailureReport;
import dev.agentstack.buildkite.JobPoll;
import dev.agentstack.logging.LogFields;
import dev.agentstack.podspec.PodSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler stage's bookkeeping around one creation: taking a slot (or holding the job back), dropping jobs whose
 * data went stale while they waited, and recording how the creation ended, which frees or keeps the slot. Metrics:
 * {@code buildkite_scheduler_job_creations_total{outcome,reason}} (outcome created, duplicate, invalid, refused by the
 * API server, or error),
 * {@code buildkite_limiter_jobs_held_back_total{reason}}, {@code buildkite_job_end_to_end_seconds} (scheduledAt to Job
 * created).
 * <p>
 * The methods the routes call for every job bind their arguments with Camel's parameter annotations. The route's
 * message is the {@link BuildkiteJob}; the exchange property {@value JobPoll#EXCHANGE_PROPERTY} is the poll it
 * came from.
 */
public final class JobCreations {

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.scheduler");

    /** The exchange property that holds the Buildkite job while the body is its Kubernetes Job. */
    public static final String BUILDKITE_JOB = "buildkiteJob";

    private final InFlightJobs inFlight;
    private final int workers;
    private final String jobPrefix;
    private final Duration staleAfter;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer endToEnd;
    private final Counter stale;
    private final Counter created;
    private final Counter duplicate;
    private final Counter invalid;
    private final CreatePermission permission;
    private final Map<InFlightJobs.Reservation, Counter> heldBack = new ConcurrentHashMap<>();
    /** "queue q: " for the queue's log lines, or empty. */
    private final String logPrefix;
    /** The queue field of the log lines, or null. */
    private final String queue;
    /** The last poll that found our Jobs not yet listed (weak: a finished poll's jobs need not stay in memory). */
    private volatile WeakReference<JobPoll> pollBeforeFirstList = new WeakReference<>(null);

    /** @param workers job-creation-concurrency */
    public JobCreations(
            InFlightJobs inFlight,
            int workers,
            String jobPrefix,
            Duration staleAfter,
            Clock clock,
            MeterRegistry registry) {
        this(
                inFlight,
                workers,
                jobPrefix,
                staleAfter,
                clock,
                registry,
                null,
                new CreatePermission(Duration.ofSeconds(1), clock));
    }

    /**
     * @param queue      the queue these creations are for: its log lines start with it and its meters carry it as a tag
     * @param permission whether the API server lets the controller create Jobs, shared by every queue
     */
    public JobCreations(
            InFlightJobs inFlight,
            int workers,
            String jobPrefix,
            Duration staleAfter,
            Clock clock,
            MeterRegistry registry,
            String queue,
            CreatePermission permission) {
        this.permission = permission;
        this.tags = queue == null ? Tags.empty() : Tags.of("queue", queue);
        this.inFlight = inFlight;
        this.workers = workers;
        this.jobPrefix = jobPrefix;
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.registry = registry;
        this.endToEnd = Timer.builder("buildkite.job.end.to.end")
                .tags(tags)
                .description("Time from a job becoming scheduled in Buildkite to its Kubernetes Job being created")
                .publishPercentileHistogram()
                .register(registry);
        this.stale = Counter.builder("buildkite.limiter.jobs.stale")
                .tags(tags)
                .description("Jobs not created because their data was older than stale-job-data-timeout")
                .register(registry);
        // Registered once, so a creation does not look its meter up by tags.
        this.created = outcomeCounter("created", "");
        this.duplicate = outcomeCounter("duplicate", "");
        this.invalid = outcomeCounter("invalid", "");
        this.logPrefix = queue == null ? "" : "queue " + queue + ": ";
        this.queue = queue;
    }

    /**
     * True while a poll could not start anything: every in-flight slot is taken, or more than twice
     * job-creation-concurrency jobs wait for a creation worker. Such a poll would only read the same jobs again, which
     * costs both sides a page of JSON per page-size jobs and spends Buildkite's GraphQL complexity budget (a page of
     * 100 jobs is about 200 points) for nothing. The next tick after a slot frees polls as before.
     */
    public boolean pollWouldStartNothing() {
        return inFlight.noFreeSlot() || inFlight.creationsInProgress() > 2 * workers;
    }

    /**
     * Takes an in-flight slot for the job; false when it is already scheduled or no slot is free (try a later poll).
     * A poll that finds our Jobs not yet listed takes no slot for any of its jobs, even when the list completes while
     * its jobs are being handed on: later jobs of that poll would otherwise take the slots ahead of earlier,
     * higher-priority ones.
     *
     * @param poll the poll the job came from (null: decide for this job alone)
     */
    public boolean reserve(@Body BuildkiteJob job, @ExchangeProperty(JobPoll.EXCHANGE_PROPERTY) JobPoll poll) {
        InFlightJobs.Reservation r = poll != null && poll == pollBeforeFirstList.get()
                ? InFlightJobs.Reservation.NOT_READY
                : inFlight.tryReserve(job.uuid());
        if (r == InFlightJobs.Reservation.NOT_READY && poll != null) {
            pollBeforeFirstList = new WeakReference<>(poll);
        }
        if (r == InFlightJobs.Reservation.RESERVED) {
            return true;
        }
        if (poll != null && (r == InFlightJobs.Reservation.NO_SLOT || r == InFlightJobs.Reservation.NOT_READY)) {
            poll.notStarted(job.uuid());
        }
        heldBack.computeIfAbsent(
                        r,
                        reason -> Counter.builder("buildkite.limiter.jobs.held.back")
                                .tags(tags)
                                .tag("reason", reason.name().toLowerCase())
                                .register(registry))
                .increment();
        if (LOG.isDebugEnabled()) {
            LogFields.with(queue, job.uuid(), () -> LOG.debug("job {} not scheduled now: {}", job.uuid(), r));
        }
        return false;
    }

    /**
     * True (and the slot freed) when the job's data was fetched longer ago than stale-job-data-timeout.
     *
     * @param poll the poll the job came from (null: its data is taken as fresh)
     */
    public boolean dropIfStale(@Body BuildkiteJob job, @ExchangeProperty(JobPoll.EXCHANGE_PROPERTY) JobPoll poll) {
        Instant fetchedAt = poll == null ? null : poll.fetchedAt();
        if (fetchedAt == null || Duration.between(fetchedAt, clock.instant()).compareTo(staleAfter) <= 0) {
            return false;
        }
        inFlight.release(job.uuid());
        poll.notStarted(job.uuid());
        stale.increment();
        LogFields.with(
                queue,
                job.uuid(),
                () -> LOG.debug(
                        "job {} fetched at {} is stale; a later poll will see it" + " again", job.uuid(), fetchedAt));
        return true;
    }

    /** The Job was created: it holds its slot until it finishes. Logs one line per Job. */
    public void created(@ExchangeProperty(BUILDKITE_JOB) BuildkiteJob job) {
        inFlight.created(job.uuid());
        permission.permitted();
        created.increment();
        LogFields.with(
                queue,
                job.uuid(),
                () -> LOG.info(
                        "{}created Job {} for job {}",
                        logPrefix,
                        PodSpecBuilder.jobName(jobPrefix, job.uuid()),
                        job.uuid()));
        if (job.scheduledAt() != null) {
            Duration waited = Duration.between(job.scheduledAt(), clock.instant());
            if (!waited.isNegative()) {
                endToEnd.record(waited);
            }
        }
    }

    /** 409 AlreadyExists: another replica, an earlier run or an earlier poll created it. Not an error. */
    public void alreadyExists(@ExchangeProperty(BUILDKITE_JOB) BuildkiteJob job) {
        inFlight.unconfirmed(job.uuid()); // it exists: its slot is freed when the watch shows it finished
        permission.permitted(); // the API server authorizes a create before it finds the name taken
        duplicate.increment();
        LogFields.with(
                queue,
                job.uuid(),
                () -> LOG.debug(
                        "{}Job {} already exists: job {} is already scheduled",
                        logPrefix,
                        PodSpecBuilder.jobName(jobPrefix, job.uuid()),
                        job.uuid()));
    }

    /**
     * The job cannot run (the builder refused it); it is failed on Buildkite instead, never holds a slot, and later
     * polls leave it alone while that failure lands.
     */
    public void invalid(BuildkiteJob job) {
        inFlight.refused(job.uuid());
        invalid.increment();
    }

    /** Buildkite could not be told (agent API down, refused): a later poll fails the job again. */
    public void invalidNotReported(BuildkiteJob job) {
        inFlight.refusalNotReported(job.uuid());
    }

    /** What Buildkite is told about a job the builder refused: the builder's reason, in the job's log. */
    public FailureReport invalidJobReport(BuildkiteJob job, String reason) {
        return new FailureReport(
                job.uuid(),
                PodSpecBuilder.jobName(jobPrefix, job.uuid()),
                job.agentQueryRules(),
                "invalid_job",
                reason,
                1,
                false);
    }

    /**
     * The API server refused or did not answer; returns what that means ({@link CreateRefusal}). A refusal of this Job
     * (422, 400, an admission 403) is like a job the builder refused: the route fails it in Buildkite, and polls leave
     * it alone meanwhile. A 403 from RBAC frees the slot and backs every queue's polls off ({@link CreatePermission},
     * which logs it once). Anything else: a later poll tries again; after a 4xx the slot is freed, after a 5xx, a
     * timeout or a dropped connection the Job may exist, so the slot is kept until the watch or a list tells. Unless
     * refused, the poll learns the job got no Job ({@link JobPoll#notStarted}).
     *
     * @param poll the poll the job came from (null: none to tell)
     */
    public CreateRefusal failed(BuildkiteJob job, Throwable error, JobPoll poll) {
        CreateRefusal refusal = CreateRefusal.classify(error);
        if (poll != null && refusal.kind() != CreateRefusal.Kind.JOB_REFUSED) {
            poll.notStarted(job.uuid());
        }
        switch (refusal.kind()) {
            case JOB_REFUSED -> inFlight.refused(job.uuid());
            case NOT_PERMITTED -> {
                inFlight.release(job.uuid());
                permission.refused(refusal.message());
            }
            case RETRY -> {
                if (mayHaveBeenCreated(error)) {
                    inFlight.unconfirmed(job.uuid());
                } else {
                    inFlight.release(job.uuid());
                }
            }
        }
        outcomeCounter(refusal.kind() == CreateRefusal.Kind.JOB_REFUSED ? "refused" : "error", kubernetesReason(error))
                .increment();
        return refusal;
    }

    static boolean mayHaveBeenCreated(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() >= 400 && k.getCode() < 500) {
                return false;
            }
        }
        return true;
    }

    private Counter outcomeCounter(String outcome, String reason) {
        return Counter.builder("buildkite.scheduler.job.creations")
                .tags(tags)
                .tags("outcome", outcome, "reason", reason)
                .register(registry);
    }

    /** The Kubernetes StatusReason (e.g. Forbidden, Invalid, InternalError), or a short class name. */
    static String kubernetesReason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                if (k.getStatus() != null
                        && k.getStatus().getReason() != null
                        && !k.getStatus().getReason().isEmpty()) {
                    return k.getStatus().getReason();
                }
                return k.getCode() > 0 ? "http_" + k.getCode() : "connection";
            }
        }
        return error == null ? "unknown" : error.getClass().getSimpleName();
    }
}
