package dev.agentstack.runtime;

import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.scheduling.InFlightJobs;
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
 * or the Kubernetes API cannot be reached, and while this replica stands by for the leader.
 */
public final class ControllerHealth implements HealthCheckRepository {

    private final List<HealthCheck> checks;
    private boolean enabled = true;

    public ControllerHealth(PollBackoff polls, InFlightJobs inFlight, LeaderElection leader) {
        this.checks = List.of(
                readiness("buildkite", () -> !leader.isLeader() || polls.lastFailure() == null,
                        () -> polls.lastFailure() == null ? "polls succeed" : "last poll failed: " + polls.lastFailure()),
                readiness("kubernetes", () -> inFlight.lastListFailure() == null,
                        () -> inFlight.lastListFailure() == null ? "our Jobs are listed and watched"
                                : "cannot list our Jobs: " + inFlight.lastListFailure()),
                readiness("leader", leader::isLeader,
                        () -> leader.isLeader() ? "this replica schedules" : "standing by for the leader"));
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

    private static HealthCheck readiness(String id, BooleanSupplier up, Supplier<String> message) {
        return new AbstractHealthCheck("agent-stack-camel", id) {
            @Override
            public boolean isLiveness() {
                return false;
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
