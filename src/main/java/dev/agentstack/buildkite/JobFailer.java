package dev.agentstack.buildkite;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a Buildkite job that cannot run, the way an agent would: registers an ephemeral agent with the job's tags (it
 * is never dispatched other work), acquires the job, starts it, writes the reason to its log and finishes it with a
 * non-zero exit status and signal reason {@code stack_error}, so pipelines can {@code retry: automatic} on it. The
 * agent always disconnects. Metric: {@code buildkite_agent_api_calls_total{call,outcome}}.
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
    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.watch");

    private final AgentApi api;
    private final Supplier<String> agentToken;
    private final Clock clock;
    private final MeterRegistry registry;

    public JobFailer(AgentApi api, Supplier<String> agentToken, Clock clock, MeterRegistry registry) {
        this.api = api;
        this.agentToken = agentToken;
        this.clock = clock;
        this.registry = registry;
    }

    public Outcome fail(FailureReport report) {
        AgentApi.Session session = step("register", () -> api.register(agentToken.get(), report.agentName(), report.tags()));
        try {
            step("connect", () -> {
                api.connect(session);
                return null;
            });
            try {
                step("acquire", () -> {
                    api.acquire(session, report.uuid());
                    return null;
                });
            } catch (AgentApi.AgentApiException e) {
                if (e.isAcquisitionRejected()) {
                    LOG.info("job {} could not be acquired to fail it ({}): another agent has it or it no longer waits",
                            report.uuid(), report.reason());
                    return Outcome.ACQUISITION_REJECTED;
                }
                throw e;
            }
            step("start", () -> {
                api.start(session, report.uuid(), now());
                return null;
            });
            step("chunks", () -> {
                api.uploadLog(session, report.uuid(), log(report));
                return null;
            });
            step("finish", () -> {
                api.finish(session, report.uuid(), report.exitStatus(), SIGNAL_REASON, now());
                return null;
            });
            LOG.warn("failed job {} on Buildkite ({}): {}", report.uuid(), report.reason(),
                    report.message().lines().findFirst().orElse(""));
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

    private <T> T step(String call, Supplier<T> action) {
        try {
            T result = action.get();
            registry.counter("buildkite.agent.api.calls", "call", call, "outcome", "ok").increment();
            return result;
        } catch (BuildkiteApiException e) {
            registry.counter("buildkite.agent.api.calls", "call", call, "outcome", e.reason()).increment();
            throw e;
        }
    }

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }
}
