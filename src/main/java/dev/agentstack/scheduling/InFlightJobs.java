package dev.agentstack.scheduling;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.memory.RecentKeys;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * How many of our Jobs are unfinished, observed rather than guessed: the Jobs carrying our controller-id label that
 * exist and have no Complete or Failed condition (kept from the Job watch and reconciled by periodic lists), plus
 * reservations for creations in progress. A slot is taken by {@link #tryReserve} and freed by whichever comes first:
 * the Job finishing, the Job being deleted, or the creation not happening.
 *
 * <p>All state changes are short in-memory updates under one lock; no network call or wait happens while it is held.
 */
public final class InFlightJobs {

    /** The outcome of asking for a slot. */
    public enum Reservation {
        /** A slot is held for this job until {@link #created} or {@link #release}. */
        RESERVED,
        /** A Job for this uuid exists or is being created: nothing to do. */
        ALREADY_SCHEDULED,
        /** max-in-flight unfinished Jobs already; leave the job for a later poll. */
        NO_SLOT,
        /** The first list of our Jobs has not completed; counting would be a guess. */
        NOT_READY,
        /** The builder refused the job and it is being failed on Buildkite (or was, moments ago): not again. */
        BEING_FAILED
    }

    /** What we know of one Job: whether it is finished, and when we learnt it (local monotonic time). */
    private record Known(boolean finished, long learntAt) {}

    /**
     * Jobs that had a Kubernetes Job, remembered after it is gone: a job Buildkite still lists as scheduled after its
     * Job was deleted is never started twice (the events route reports it instead). Jobs seen by the watch or a list
     * count as well as those this replica created, so a standby that takes over, or a restarted controller, does not
     * start again what the previous leader or process started.
     */
    static final int CREATED_MEMORY = 50_000;

    static final Duration CREATED_MEMORY_TTL = Duration.ofHours(24);

    /**
     * Jobs the builder refused, remembered while they are failed on Buildkite and shortly after: a poll that runs
     * before the failure has landed (or before Buildkite stops listing the job) would otherwise fail it a second time.
     * A failure that did not land is forgotten at once, so a later poll tries again.
     */
    static final int REFUSED_MEMORY = 10_000;

    static final Duration REFUSED_MEMORY_TTL = Duration.ofMinutes(2);

    private final int maxInFlight;
    private final LongSupplier clock;
    private final RecentKeys<String> hadAJob;
    private final RecentKeys<String> refused;
    private final Map<String, Known> jobs = new HashMap<>();
    private final Set<String> reserved = new HashSet<>();
    /** Reservations whose creation may have happened (409, or an error after the request was sent): clock value. */
    private final Map<String, Long> unconfirmed = new HashMap<>();

    private int unfinished;
    private boolean ready;
    private int highWater;
    private volatile String lastListFailure = "no list of our Jobs yet";

    /**
     * @param maxInFlight the most unfinished Jobs at once; 0 means no limit
     * @param clock       a monotonic clock in nanoseconds (System::nanoTime)
     */
    public InFlightJobs(int maxInFlight, LongSupplier clock) {
        this.maxInFlight = maxInFlight;
        this.clock = clock;
        this.hadAJob = new RecentKeys<>(CREATED_MEMORY, CREATED_MEMORY_TTL, clock);
        this.refused = new RecentKeys<>(REFUSED_MEMORY, REFUSED_MEMORY_TTL, clock);
    }

    public InFlightJobs(int maxInFlight) {
        this(maxInFlight, System::nanoTime);
    }

    /** Publishes {@code buildkite_limiter_in_flight} and {@code buildkite_limiter_max_in_flight}. */
    public InFlightJobs registerMetrics(MeterRegistry registry) {
        return registerMetrics(registry, io.micrometer.core.instrument.Tags.empty());
    }

    /** @param tags added to both gauges (the queue) */
    public InFlightJobs registerMetrics(MeterRegistry registry, io.micrometer.core.instrument.Tags tags) {
        Gauge.builder("buildkite.limiter.in.flight", this, InFlightJobs::inFlight)
                .tags(tags)
                .description("Unfinished Jobs of this controller plus creations in progress")
                .register(registry);
        Gauge.builder("buildkite.limiter.max.in.flight", this, j -> j.maxInFlight)
                .tags(tags)
                .description("The max-in-flight option (0 = no limit)")
                .register(registry);
        return this;
    }

    /** Takes a slot for the job unless it is already scheduled or the limit is reached. */
    public synchronized Reservation tryReserve(String uuid) {
        if (!ready) {
            return Reservation.NOT_READY;
        }
        if (reserved.contains(uuid) || jobs.containsKey(uuid) || hadAJob.contains(uuid)) {
            return Reservation.ALREADY_SCHEDULED;
        }
        if (refused.contains(uuid)) {
            return Reservation.BEING_FAILED;
        }
        if (maxInFlight > 0 && inFlight() >= maxInFlight) {
            return Reservation.NO_SLOT;
        }
        reserved.add(uuid);
        highWater = Math.max(highWater, inFlight());
        return Reservation.RESERVED;
    }

    /** The Job was created: the slot now belongs to the unfinished Job itself. */
    public synchronized void created(String uuid) {
        hadAJob.add(uuid);
        unconfirmed.remove(uuid);
        if (reserved.remove(uuid) && !jobs.containsKey(uuid)) {
            put(uuid, false, clock.getAsLong());
        }
    }

    /** The creation did not happen (failed, invalid, stale, or failed on Buildkite instead): free the slot. */
    public synchronized void release(String uuid) {
        reserved.remove(uuid);
        unconfirmed.remove(uuid);
    }

    /** The builder refused the job, which is failed on Buildkite instead: free the slot, do not take it up again. */
    public synchronized void refused(String uuid) {
        refused.add(uuid);
        release(uuid);
    }

    /** Failing the refused job on Buildkite did not work: a later poll may take it up again. */
    public void refusalNotReported(String uuid) {
        refused.remove(uuid);
    }

    /**
     * The Job may exist although our creation did not report it (409 AlreadyExists, or a 5xx or timeout after the
     * request was sent): the slot stays taken until the watch shows the Job, or a list started after now does not.
     * Freeing it at once would let another job take the slot just before the watch adds this Job back: one more
     * unfinished Job than max-in-flight.
     */
    public synchronized void unconfirmed(String uuid) {
        if (reserved.contains(uuid)) {
            unconfirmed.put(uuid, clock.getAsLong());
        }
    }

    /** A watch event for one of our Jobs. */
    public synchronized void onJobEvent(String action, Job job) {
        String uuid = JobLabels.jobUuidOf(job);
        if (uuid == null) {
            return;
        }
        unconfirmed.remove(uuid);
        if ("DELETED".equals(action)) {
            remove(uuid);
        } else {
            reserved.remove(uuid);
            put(uuid, isFinished(job), clock.getAsLong());
        }
    }

    /**
     * Replaces what we know with a list of all our Jobs taken from the API server, except for Jobs an event or a
     * creation told us about after the list started (they are newer than the list). A missed watch event or a closed
     * watch therefore cannot leak or double-count a slot for longer than one reconcile interval.
     *
     * @param listStartedAt the clock value just before the list request was sent
     */
    public synchronized void reconcile(List<Job> listed, long listStartedAt) {
        Map<String, Boolean> fromList = new HashMap<>();
        for (Job job : listed) {
            String uuid = JobLabels.jobUuidOf(job);
            if (uuid != null) {
                fromList.put(uuid, isFinished(job));
            }
        }
        for (String uuid : List.copyOf(jobs.keySet())) {
            if (jobs.get(uuid).learntAt() < listStartedAt && !fromList.containsKey(uuid)) {
                remove(uuid);
            }
        }
        fromList.forEach((uuid, finished) -> {
            Known known = jobs.get(uuid);
            if (known == null || known.learntAt() < listStartedAt) {
                reserved.remove(uuid);
                unconfirmed.remove(uuid);
                put(uuid, finished, listStartedAt);
            }
        });
        // an unconfirmed creation that a list taken after it does not show did not happen
        unconfirmed.entrySet().removeIf(e -> {
            if (e.getValue() < listStartedAt && !fromList.containsKey(e.getKey())) {
                reserved.remove(e.getKey());
                return true;
            }
            return false;
        });
        ready = true;
        lastListFailure = null;
    }

    /** The list of our Jobs failed: the count keeps following watch events meanwhile. */
    public void listFailed(Throwable error) {
        lastListFailure =
                error.getClass().getSimpleName() + (error.getMessage() != null ? ": " + error.getMessage() : "");
    }

    /** Why the last list of our Jobs failed, or null when it succeeded. */
    public String lastListFailure() {
        return lastListFailure;
    }

    /** The clock reading to pass to {@link #reconcile} as the list's start. */
    public long now() {
        return clock.getAsLong();
    }

    /** Jobs handed to the creation workers and not yet created (or dropped). */
    public synchronized int creationsInProgress() {
        return reserved.size();
    }

    /** True once our Jobs have been listed and every slot is taken: a job now would be left for a later poll. */
    public synchronized boolean noFreeSlot() {
        return ready && maxInFlight > 0 && inFlight() >= maxInFlight;
    }

    /** Slots a poll could fill now: 0 before our Jobs have been listed, -1 without a limit. */
    public synchronized int freeSlots() {
        if (!ready) {
            return 0;
        }
        return maxInFlight > 0 ? Math.max(0, maxInFlight - inFlight()) : -1;
    }

    /** True for a job that is ours: created, being created, or had a Job (see CREATED_MEMORY). */
    public synchronized boolean isOurs(String uuid) {
        return reserved.contains(uuid) || jobs.containsKey(uuid) || hadAJob.contains(uuid);
    }

    /** Unfinished Jobs plus creations in progress. */
    public synchronized int inFlight() {
        return unfinished + reserved.size();
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /** True once the first list of our Jobs has been read. */
    public synchronized boolean isReady() {
        return ready;
    }

    /** The highest in-flight count ever reached (for tests and the soak report). */
    public synchronized int highWater() {
        return highWater;
    }

    /** How many jobs that had a Job are remembered after it is gone (bounded and expiring, see CREATED_MEMORY). */
    public int rememberedCreations() {
        return hadAJob.size();
    }

    /** How many refused jobs are remembered (bounded and expiring, see REFUSED_MEMORY). */
    public int rememberedRefusals() {
        return refused.size();
    }

    /** How many Jobs (finished or not) we know exist. */
    public synchronized int knownJobs() {
        return jobs.size();
    }

    private void put(String uuid, boolean finished, long at) {
        hadAJob.add(uuid);
        Known previous = jobs.put(uuid, new Known(finished, at));
        if (previous == null || previous.finished()) {
            unfinished += finished ? 0 : 1;
        } else if (finished) {
            unfinished--;
        }
        highWater = Math.max(highWater, inFlight());
    }

    private void remove(String uuid) {
        Known previous = jobs.remove(uuid);
        if (previous != null && !previous.finished()) {
            unfinished--;
        }
        reserved.remove(uuid);
        unconfirmed.remove(uuid);
    }

    /** Finished: a Complete or Failed condition whose status is True. */
    public static boolean isFinished(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return false;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }
}
