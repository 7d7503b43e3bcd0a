package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.JobPoll;
import dev.agentstack.buildkite.ScanPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One poll of the Stacks API, the state of a single exchange: the pages listed (oldest scheduled job first), whether
 * the queue is paused, the Retry-After an answer carried, and the jobs reserved for this stack with their details,
 * which the Kamelet hands on. Made by {@link StackJobsSource#startScan}.
 */
public final class StackJobsScan implements JobPoll {

    private final ScanPlan plan;
    private final int pageSize;
    private final int depthLimit;
    private final Instant startedAt;
    private Instant fetchedAt;
    private final String startCursor;
    private String cursor;
    private boolean hasNextPage = true;
    private boolean paused;
    private volatile boolean reserving;
    private int pagesRead;
    private Duration waitAsked;
    private final List<ScheduledJobsPage.ScheduledJob> listed = new ArrayList<>();
    private final List<BuildkiteJob> handOn = new ArrayList<>();
    /** The listed jobs handed on, by uuid, for {@link #notStarted}; written before the Kamelet splits them. */
    private final Map<String, ScheduledJobsPage.ScheduledJob> handedOn = new ConcurrentHashMap<>();

    private final Consumer<ScheduledJobsPage.ScheduledJob> takeAgain;

    /** @param takeAgain has a later poll take a job handed on that got no Job */
    StackJobsScan(
            ScanPlan plan,
            int pageSize,
            int depthLimit,
            String startCursor,
            Instant startedAt,
            Consumer<ScheduledJobsPage.ScheduledJob> takeAgain) {
        this.plan = plan;
        this.takeAgain = takeAgain;
        this.pageSize = plan.probe() ? 1 : pageSize;
        this.depthLimit = plan.probe() ? 1 : depthLimit;
        this.startCursor = startCursor;
        this.cursor = startCursor;
        this.startedAt = startedAt;
        this.fetchedAt = startedAt;
    }

    /**
     * True until the last page was read, pagination-depth-limit pages were, or an answer said to wait (Retry-After)
     * or that the queue is paused.
     */
    public boolean wantsAnotherPage() {
        return pagesRead == 0
                || hasNextPage && cursor != null && pagesRead < depthLimit && waitAsked == null && !paused;
    }

    void addPage(ScheduledJobsPage page, Instant at) {
        pagesRead++;
        fetchedAt = at;
        listed.addAll(page.jobs());
        hasNextPage = page.hasNextPage();
        cursor = page.endCursor() != null ? page.endCursor() : cursor;
        paused = paused || page.paused();
        if (page.retryAfter() != null && !page.retryAfter().isZero()) {
            waitAsked = page.retryAfter();
        }
    }

    void askWait(Duration wait) {
        if (waitAsked == null || wait.compareTo(waitAsked) > 0) {
            waitAsked = wait;
        }
    }

    void handOn(ScheduledJobsPage.ScheduledJob listed, BuildkiteJob job, Instant at) {
        handOn.add(job);
        handedOn.put(job.uuid(), listed);
        fetchedAt = at;
    }

    /** The pages are read: what fails from now on fails reserving the chosen jobs. */
    void reserving() {
        reserving = true;
    }

    @Override
    public String failedWhere() {
        return reserving ? "reserving jobs" : JobPoll.super.failedWhere();
    }

    ScanPlan plan() {
        return plan;
    }

    int pageSize() {
        return pageSize;
    }

    String cursor() {
        return cursor;
    }

    String startCursor() {
        return startCursor;
    }

    /** True when pages are left past the last one read (the depth limit or a Retry-After stopped the walk). */
    boolean stoppedEarly() {
        return hasNextPage && cursor != null;
    }

    /** Every job the pages listed, before any choice. */
    public List<ScheduledJobsPage.ScheduledJob> listed() {
        return List.copyOf(listed);
    }

    /** True when an answer said the cluster queue is paused. */
    public boolean paused() {
        return paused;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Instant fetchedAt() {
        return fetchedAt;
    }

    @Override
    public int pagesRead() {
        return pagesRead;
    }

    /** The jobs reserved for this stack whose details were read, in the order they take free slots. */
    @Override
    public List<BuildkiteJob> jobs() {
        return List.copyOf(handOn);
    }

    @Override
    public List<BuildkiteJob> jobsInSchedulingOrder() {
        return jobs();
    }

    /** The job stays reserved for this stack, so Buildkite will not list it: the next poll takes it again. */
    @Override
    public void notStarted(String uuid) {
        ScheduledJobsPage.ScheduledJob listed = handedOn.get(uuid);
        if (listed != null) {
            takeAgain.accept(listed);
        }
    }

    @Override
    public Duration waitAsked() {
        return waitAsked;
    }
}
