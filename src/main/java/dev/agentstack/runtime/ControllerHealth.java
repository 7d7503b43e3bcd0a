package dev.agentstack.runtime;

import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.scheduling.CreatePermission;
import dev.agentstack.scheduling.InFlightByQueue;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRepository;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness checks of the controller, served with Camel's own at {@code /observe/health/ready}: down while Buildkite
 * or the Kubernetes API cannot be reached, while the API server does not let the controller create Jobs, and while this
 * replica stands by for the leader. One liveness check, at {@code /observe/health/live}: down when a queue's poll loop
 * has stopped ticking ({@link PollBackoff#stallProblem}), so Kubernetes restarts a controller that would otherwise look
 * healthy and never poll again.
 */
public final class ControllerHealth implements HealthCheckRepository {

    /** The id of the check that is down while this replica stands by. */
    public static final String LEADER_CHECK = "leader";

    public static final String BUILDKITE_CHECK = "buildkite";
    /** The id of the check that is down while the API server refuses our creations (RBAC). */
    public static final String JOB_CREATION_CHECK = "job-creation";

    public static final String POLL_LOOP_CHECK = "poll-loop";

    /**
     * Checks the pod's own readiness probe leaves out ({@code /observe/health/pod}). Camel's leader election only lets
     * Ready pods lead: a standby must stay Ready to take over, and a Buildkite outage (which every replica shares)
     * must not bounce leadership between replicas; nor must missing RBAC, which every replica shares too.
     */
    public static final java.util.Set<String> NOT_FOR_POD_READINESS =
            java.util.Set.of(LEADER_CHECK, BUILDKITE_CHECK, JOB_CREATION_CHECK);

    private final List<HealthCheck> checks;
    private boolean enabled = true;

    /** @param polls every queue's */
    public ControllerHealth(
            java.util.Collection<PollBackoff> polls,
            InFlightByQueue inFlight,
            CreatePermission creations,
            LeaderElection leader) {
        Supplier<String> pollFailure = () -> polls.stream()
                .map(PollBackoff::lastFailure)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
        this.checks = List.of(
                readiness(
                        BUILDKITE_CHECK,
                        () -> !leader.isLeader() || pollFailure.get() == null,
                        () -> pollFailure.get() == null ? "polls succeed" : "last poll failed: " + pollFailure.get()),
                readiness(
                        "kubernetes",
                        () -> inFlight.lastListFailure() == null,
                        () -> inFlight.lastListFailure() == null
                                ? "our Jobs are listed and watched"
                                : "cannot list our Jobs: " + inFlight.lastListFailure()),
                readiness(
                        JOB_CREATION_CHECK,
                        () -> creations.refusal() == null,
                        () -> creations.refusal() == null
                                ? "Jobs may be created"
                                : "the API server refuses to create our Jobs: " + creations.refusal()),
                readiness(
                        LEADER_CHECK,
                        leader::isLeader,
                        () -> leader.isLeader() ? "this replica schedules" : "standing by for the leader"),
                check(
                        POLL_LOOP_CHECK,
                        false,
                        () -> stallProblem(polls) == null,
                        () -> stallProblem(polls) == null ? "polls tick" : stallProblem(polls)));
    }

    @Override
    public String getId() {
        return "agent-stack-camel";
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Stream<HealthCheck> stream() {
        return enabled ? checks.stream() : Stream.empty();
    }

    private static String stallProblem(java.util.Collection<PollBackoff> polls) {
        return polls.stream()
                .map(PollBackoff::stallProblem)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    private static HealthCheck readiness(String id, BooleanSupplier up, Supplier<String> message) {
        return check(id, true, up, message);
    }

    /** A readiness check, or else a liveness check. */
    private static HealthCheck check(String id, boolean readiness, BooleanSupplier up, Supplier<String> message) {
        return new AbstractHealthCheck("agent-stack-camel", id) {
            @Override
            public boolean isLiveness() {
                return !readiness;
            }

            @Override
            public boolean isReadiness() {
                return readiness;
            }

            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.message(message.get());
                if (up.getAsBoolean()) {
                    builder.up();
                } else {
                    builder.down();
                }
            }
        };
    }
}
