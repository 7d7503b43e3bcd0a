package dev.agentstack.buildkite;

import dev.agentstack.logging.LogFields;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a Buildkite job that cannot run, the way an agent would: registers an ephemeral agent with the job's tags (it
 * is never dispatched other work), acquires the job, starts it, writes the reason to its log and finishes it with a
 * non-zero exit status and signal reason {@code stack_error}, so pipelines can {@code retry: automatic} on it. The
 * agent always disconnects. Metric: {@code buildkite_agent_api_calls_total{call,outcome}} (one count per attempt).
 *
 * <p>Once the job is acquired it is ours alone: a later attempt could not acquire it again, so the job would never get
 * the message. The calls after acquire are therefore retried with the same agent, as buildkite-agent retries them,
 * {@value #ATTEMPTS} tries in all with waits doubling from the retry interval (1, 2, 4, 8 s: a blip of
 * Buildkite's of up to 15 s), when no answer came (a timeout), Buildkite was rate limiting (429) or had a server error
 * (5xx). When the answer asks for a wait (Retry-After, or a spent rate limit's RateLimit-Reset), that wait is kept
 * instead, up to {@link #MAX_WAIT_ASKED}: trying sooner would only be refused again. Other answers, such as 422 for a
 * job cancelled meanwhile, are final. A retried upload reuses its chunk sequence number, so a chunk that Buildkite
 * stored before the answer was lost is not logged twice. A 422 to a retried call after a try that got no answer (or a
 * 5xx) means that try was carried out: the job is already started or finished, so we go on. Before acquire, only a
 * 429 is tried again (Buildkite refused the call, so nothing was done), with the same waits.
 *
 * <p>An attempt that fails leaves its job alone for a while ({@link JobFailureBackoff}: 10 s, doubling up to 10 min, or
 * the wait Buildkite asked for), so the resyncs and polls that find the job again do not hammer the agent API.
 */
public final class JobFailer {

    /** How an attempt ended. */
    public enum Outcome {
        /** The job is finished as failed, with the message in its log. */
        FAILED,
        /** Another agent has the job (or it is no longer waiting for one): nothing was changed. */
        ACQUISITION_REJECTED
    }

    public static final String SIGNAL_REASON = "stack_error";
    /** Tries of each call after acquire (start, chunks, finish), and of a rate-limited call before it. */
    static final int ATTEMPTS = 5;
    /** The wait before the second try, as buildkite-agent's; it doubles before each further one. */
    public static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    /** The longest wait a rate-limited answer makes us keep before one try (the thread waits meanwhile). */
    static final Duration MAX_WAIT_ASKED = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.watch");

    private final AgentApi api;
    private final Supplier<String> agentToken;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Backoff backoff;
    private final JobFailureBackoff perJob;

    /** @param retryInterval the wait before a call after acquire is tried a second time ({@link #RETRY_INTERVAL}) */
    public JobFailer(
            AgentApi api, Supplier<String> agentToken, Clock clock, MeterRegistry registry, Duration retryInterval) {
        this(api, agentToken, clock, registry, retryInterval, new JobFailureBackoff(clock));
    }

    /** @param perJob the per-job backoff, shared with the Stacks API's way of failing a job */
    public JobFailer(
            AgentApi api,
            Supplier<String> agentToken,
            Clock clock,
            MeterRegistry registry,
            Duration retryInterval,
            JobFailureBackoff perJob) {
        this.api = api;
        this.agentToken = agentToken;
        this.clock = clock;
        this.registry = registry;
        this.backoff = new Backoff(retryInterval, retryInterval.multipliedBy(1L << (ATTEMPTS - 2)), MAX_WAIT_ASKED);
        this.perJob = perJob;
    }

    /**
     * Fails the job, unless an earlier attempt for it failed and its backoff ({@link #backingOff}) is not over: then
     * it throws {@link BackingOff} without calling Buildkite.
     */
    public Outcome fail(FailureReport report) {
        perJob.checkNotBackingOff(report.uuid());
        try {
            Outcome outcome = attempt(report);
            perJob.done(report.uuid());
            return outcome;
        } catch (BuildkiteApiException e) {
            Duration wait =
                    perJob.failed(report.uuid(), e instanceof AgentApi.AgentApiException a ? a.waitAsked() : null);
            LOG.debug(
                    "failing job {} failed ({}); next attempt in {} at the earliest", report.uuid(), e.reason(), wait);
            throw e;
        }
    }

    /** True while an earlier attempt to fail the job failed and its per-job backoff is not over. */
    public boolean backingOff(String uuid) {
        return perJob.backingOff(uuid);
    }

    /** An attempt that was not made: an earlier one for the same job failed moments ago. */
    public static final class BackingOff extends BuildkiteApiException {
        private static final long serialVersionUID = 1L;

        BackingOff(String uuid, int failures, Duration left) {
            super(
                    "backing_off",
                    "failing job " + uuid + " failed " + failures + " time(s) in a row; next attempt in "
                            + dev.agentstack.config.Durations.format(left.truncatedTo(ChronoUnit.SECONDS)));
        }
    }

    private Outcome attempt(FailureReport report) {
        AgentApi.Session session =
                stepBeforeAcquire("register", () -> api.register(agentToken.get(), report.agentName(), report.tags()));
        try {
            stepBeforeAcquire("connect", () -> {
                api.connect(session);
                return null;
            });
            try {
                stepBeforeAcquire("acquire", () -> {
                    api.acquire(session, report.uuid());
                    return null;
                });
            } catch (AgentApi.AgentApiException e) {
                if (e.isAcquisitionRejected()) {
                    LogFields.with(
                            null,
                            report.uuid(),
                            () -> LOG.info(
                                    "job {} could not be acquired to fail it ({}):"
                                            + " another agent has it or it no longer waits",
                                    report.uuid(),
                                    report.reason()));
                    return Outcome.ACQUISITION_REJECTED;
                }
                throw e;
            }
            stepAfterAcquire("start", () -> {
                api.start(session, report.uuid(), now());
                return null;
            });
            stepAfterAcquire("chunks", () -> {
                api.uploadLog(session, report.uuid(), log(report));
                return null;
            });
            stepAfterAcquire("finish", () -> {
                api.finish(session, report.uuid(), report.exitStatus(), SIGNAL_REASON, now());
                return null;
            });
            report.logFailed(LOG);
            return Outcome.FAILED;
        } finally {
            try {
                step("disconnect", () -> {
                    api.disconnect(session);
                    return null;
                });
            } catch (BuildkiteApiException e) {
                LOG.debug("disconnect after failing job {}: {}", report.uuid(), e.getMessage());
            }
        }
    }

    /** The job log: a Buildkite section header, then the reason. */
    static String log(FailureReport report) {
        String body = report.message().endsWith("\n") ? report.message() : report.message() + "\n";
        return "~~~ :kubernetes: agent-stack-camel could not run this job\n" + body;
    }

    private void stepAfterAcquire(String call, Supplier<Void> action) {
        boolean mayHaveTakenEffect = false;
        for (int attempt = 1; ; attempt++) {
            try {
                step(call, action);
                return;
            } catch (AgentApi.AgentApiException e) {
                if (mayHaveTakenEffect && e.status() == 422) {
                    // A try before got no answer (or a gateway's 5xx) but was carried out: the job is already
                    // started or finished, which Buildkite refuses to do twice. Go on as if that answer had come.
                    LOG.debug(
                            "agent API {} answered 422 ({}) after a try whose outcome is unknown: taken as done",
                            call,
                            e.getMessage());
                    return;
                }
                if (attempt == ATTEMPTS || !e.isTransient()) {
                    throw e;
                }
                mayHaveTakenEffect |= e.status() == 0 || e.status() >= 500;
                waitBeforeTry(call, e, attempt);
            }
        }
    }

    /**
     * Before acquire, only a rate-limited call (429) is tried again, as often as one after it: Buildkite refused it,
     * so nothing was done. Other failures end this attempt; the job is still free, and a later one starts afresh.
     */
    private <T> T stepBeforeAcquire(String call, Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step(call, action);
            } catch (AgentApi.AgentApiException e) {
                if (attempt == ATTEMPTS || e.status() != 429) {
                    throw e;
                }
                waitBeforeTry(call, e, attempt);
            }
        }
    }

    private void waitBeforeTry(String call, AgentApi.AgentApiException failure, int attempt) {
        Duration wait = backoff.after(attempt, failure.waitAsked());
        LOG.debug(
                "agent API {} failed ({}), try {} of {} in {}",
                call,
                failure.getMessage(),
                attempt + 1,
                ATTEMPTS,
                wait);
        pause(wait);
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentApi.AgentApiException("retry", 0, "interrupted");
        }
    }

    private <T> T step(String call, Supplier<T> action) {
        try {
            T result = action.get();
            registry.counter("buildkite.agent.api.calls", "call", call, "outcome", "ok")
                    .increment();
            return result;
        } catch (BuildkiteApiException e) {
            registry.counter("buildkite.agent.api.calls", "call", call, "outcome", e.reason())
                    .increment();
            ResponseSizeLimit.countIfOversize(e, registry, "agent");
            throw e;
        }
    }

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }
}
