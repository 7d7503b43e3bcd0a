package dev.agentstack.buildkite;

import dev.agentstack.config.Durations;
import dev.agentstack.logging.LogFields;
import dev.agentstack.logging.OutageLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor stage's view of polls. Spaces out polls after a failed one: the server's Retry-After when it sent one,
 * else an exponential backoff from the poll interval up to {@link #MAX_BACKOFF}. A successful poll resets it, unless
 * its answer said the organization's GraphQL points are nearly spent: then the next poll waits for RateLimit-Reset.
 * The poll timer keeps ticking; the route skips ticks that come before {@link #isPollDue()}. Metrics:
 * {@code buildkite_monitor_job_queries_total}, {@code buildkite_monitor_job_query_errors_total{reason}},
 * {@code buildkite_monitor_job_query_seconds}, {@code buildkite_monitor_jobs_returned_total},
 * {@code buildkite_monitor_graphql_points_remaining}, {@code buildkite_api_oversize_responses_total{api="graphql"}}.
 */
public final class PollBackoff {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** The shortest time without a finished tick that counts as a stopped poll loop. */
    static final Duration MIN_STALL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");

    private record State(int failures, Instant nextPollAt, String lastFailure) {}

    private final Backoff backoff;
    private final Clock clock;
    private final AtomicReference<State> state;
    private final MeterRegistry registry;
    private final io.micrometer.core.instrument.Tags tags;
    /** "queue <name>: " when the meters carry a queue, so a log line says which queue's poll it is about. */
    private final String logPrefix;

    private final Counter polls;
    private final Counter jobsReturned;
    private final Timer pollDuration;
    /** Failed polls in a row: the first and a reminder a minute are WARN lines, the others DEBUG. */
    private final OutageLog outage;
    /** The queue field of the log lines, or null. */
    private final String queue;

    private volatile Instant lastSuccess;
    private final Duration pollInterval;
    /** When a tick of the poll timer last finished: it polled, or found no poll due. */
    private volatile Instant lastTick;
    /** The organization's GraphQL points left, as the last poll's answer reported them (-1: not reported). */
    private final AtomicLong pointsRemaining = new AtomicLong(-1);

    public PollBackoff(Duration pollInterval, Clock clock, MeterRegistry registry) {
        this(pollInterval, clock, registry, io.micrometer.core.instrument.Tags.empty());
    }

    /** @param tags added to every meter (the queue) */
    public PollBackoff(
            Duration pollInterval, Clock clock, MeterRegistry registry, io.micrometer.core.instrument.Tags tags) {
        this.tags = tags;
        this.logPrefix = tags.stream()
                .filter(t -> t.getKey().equals("queue"))
                .map(t -> "queue " + t.getValue() + ": ")
                .findFirst()
                .orElse("");
        this.outage = new OutageLog(LOG, clock, logPrefix + "poll succeeded again");
        this.queue = tags.stream()
                .filter(t -> t.getKey().equals("queue"))
                .map(t -> t.getValue())
                .findFirst()
                .orElse(null);
        this.backoff = new Backoff(pollInterval, MAX_BACKOFF, Backoff.LONGEST_ASKED_WAIT);
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.lastTick = clock.instant();
        this.registry = registry;
        this.state = new AtomicReference<>(new State(0, Instant.MIN, null));
        this.polls = Counter.builder("buildkite.monitor.job.queries")
                .tags(tags)
                .description("Polls for scheduled jobs")
                .register(registry);
        this.jobsReturned = Counter.builder("buildkite.monitor.jobs.returned")
                .tags(tags)
                .description("Scheduled jobs the polls returned")
                .register(registry);
        Gauge.builder("buildkite.monitor.graphql.points.remaining", pointsRemaining, AtomicLong::get)
                .tags(tags)
                .description("The organization's GraphQL rate-limit points left, as the last poll's answer"
                        + " reported them (-1 until one did)")
                .register(registry);
        this.pollDuration = Timer.builder("buildkite.monitor.job.query")
                .tags(tags)
                .description("Time to read all pages of one poll")
                .publishPercentileHistogram()
                .register(registry);
    }

    public boolean isPollDue() {
        return !clock.instant().isBefore(state.get().nextPollAt());
    }

    /** A tick of the poll timer ended without a poll (none due, or held back, e.g. on a replica that stands by). */
    public void tickFinished() {
        lastTick = clock.instant();
    }

    /**
     * Why the poll loop counts as stopped, or null: no tick has finished for max(3 x poll-interval, 30s) plus the
     * backoff in force. The timer's thread can die (an Error) or hang while the process lives on; liveness says so.
     */
    public String stallProblem() {
        Instant now = clock.instant();
        Duration threeTicks = pollInterval.multipliedBy(3);
        Duration limit = threeTicks.compareTo(MIN_STALL) > 0 ? threeTicks : MIN_STALL;
        Instant tick = lastTick;
        Instant nextPollAt = state.get().nextPollAt();
        if (nextPollAt.isAfter(tick)) {
            limit = limit.plus(Duration.between(tick, nextPollAt)); // no poll is due before then
        }
        Duration since = Duration.between(tick, now);
        return since.compareTo(limit) <= 0
                ? null
                : logPrefix + "no poll tick has finished for "
                        + Durations.format(since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) + " (limit "
                        + Durations.format(limit.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) + ")";
    }

    /** A poll read all its pages. */
    public void recordSuccess(JobPoll poll) {
        Instant now = clock.instant();
        lastTick = now;
        polls.increment();
        jobsReturned.increment(poll.jobs().size());
        pollDuration.record(Duration.between(poll.startedAt(), now));
        lastSuccess = now;
        GraphqlRateLimit rateLimit = poll instanceof ScheduledJobsScan scan ? scan.rateLimit() : null;
        if (rateLimit != null) {
            pointsRemaining.set(rateLimit.remaining());
        }
        // Nearly spent: the polls wait for the next window, so the rest of the organization's points stay for every
        // other API client and our cancel checker rather than running out for all of them.
        boolean pause = rateLimit != null && rateLimit.nearlySpent();
        Duration asked = pause ? rateLimit.reset() : poll.waitAsked();
        Duration wait = asked == null || asked.isZero() ? Duration.ZERO : backoff.after(1, asked); // capped
        state.set(new State(0, wait.isZero() ? Instant.MIN : now.plus(wait), null));
        LogFields.with(queue, null, outage::succeeded);
        if (pause) {
            LogFields.with(
                    queue,
                    null,
                    () -> LOG.warn(
                            "{}the organization's GraphQL rate limit is nearly spent"
                                    + " ({} of {} points left); next poll in {}, when it resets",
                            logPrefix,
                            rateLimit.remaining(),
                            rateLimit.limit(),
                            Durations.format(wait)));
        } else if (!wait.isZero()) {
            LogFields.with(
                    queue,
                    null,
                    () -> LOG.info(
                            "{}Buildkite asked for a pause (Retry-After); next poll in {}",
                            logPrefix,
                            Durations.format(wait)));
        }
    }

    /**
     * Records a failed poll, logs it (a WARN line when it starts an outage, see {@link OutageLog}) and returns its
     * classification. A poll that failed part way
     * ({@code scan} read some pages; null when it never started) still schedules the jobs of those pages, the oldest.
     */
    public ApiFailure recordFailure(Throwable error, JobPoll scan) {
        Instant now = clock.instant();
        lastTick = now;
        ApiFailure failure = ApiFailure.of(error, now);
        polls.increment();
        Counter.builder("buildkite.monitor.job.query.errors")
                .tags(tags)
                .tag("reason", failure.reason())
                .register(registry)
                .increment();
        ResponseSizeLimit.countIfOversize(error, registry, "graphql");
        State next = state.updateAndGet(s -> {
            int failures = s.failures() + 1;
            return new State(
                    failures,
                    now.plus(backoff.after(failures, failure.waitAsked())),
                    failure.reason() + ": " + failure.message());
        });
        Duration wait = Duration.between(now, next.nextPollAt());
        String line = scan != null && scan.pagesRead() > 0
                ? logPrefix + "poll failed " + scan.failedWhere() + " (" + failure.reason() + "): "
                        + failure.message()
                        + (scan.jobs().isEmpty()
                                ? ""
                                : "; scheduling the " + scan.jobs().size() + " job(s) of the pages read")
                        + "; next poll in " + Durations.format(wait)
                : logPrefix + "poll failed (" + failure.reason() + "): " + failure.message() + "; next poll in "
                        + Durations.format(wait);
        LogFields.with(queue, null, () -> outage.failed(line));
        return failure;
    }

    public int consecutiveFailures() {
        return state.get().failures();
    }

    /** Why the last poll failed, while it is the latest outcome; null after a success. */
    public String lastFailure() {
        return state.get().lastFailure();
    }

    /** When a poll last succeeded, or null. */
    public Instant lastSuccess() {
        return lastSuccess;
    }
}
