package dev.agentstack.scheduling;

import dev.agentstack.buildkite.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the controller may create Jobs, as the API server last answered: after a 403 from RBAC ({@link
 * CreateRefusal.Kind#NOT_PERMITTED}) every queue's polls back off (from the poll interval, doubling, up to a minute)
 * and readiness is down with the API server's message, until a creation succeeds again. Logged once when creations
 * become refused and once when they work again, not per job. Shared by every queue: they create in one namespace with
 * one service account.
 */
public final class CreatePermission {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.scheduler");

    private record State(int refusals, Instant retryAt, String refusal) {}

    private static final State PERMITTED = new State(0, Instant.MIN, null);

    private final Backoff backoff;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(PERMITTED);

    /** @param pollInterval the first wait after a refusal */
    public CreatePermission(Duration pollInterval, Clock clock) {
        this.backoff = new Backoff(pollInterval, MAX_BACKOFF, MAX_BACKOFF);
        this.clock = clock;
    }

    /** The API server refused a creation because the controller may not create Jobs. */
    public void refused(String message) {
        Instant now = clock.instant();
        State s = state.updateAndGet(old ->
                new State(old.refusals() + 1, now.plus(backoff.after(old.refusals() + 1, null)), message));
        if (s.refusals() == 1) {
            LOG.error(
                    "the API server does not let this controller create Jobs: {}; polls back off and readiness is"
                            + " down until a creation succeeds (check the chart's Role and RoleBinding)",
                    message);
        }
    }

    /** A Job was created (or already existed): creating is permitted. Cheap when nothing changes: one read. */
    public void permitted() {
        if (state.get() != PERMITTED) {
            State old = state.getAndSet(PERMITTED);
            if (old.refusals() > 0) {
                LOG.info(
                        "the API server lets this controller create Jobs again after {} refused creation(s)",
                        old.refusals());
            }
        }
    }

    /** False while polls back off after a refusal; the poll after the wait tries creating again. */
    public boolean allowsPoll() {
        return !clock.instant().isBefore(state.get().retryAt());
    }

    /** The API server's message while creations are refused, else null. */
    public String refusal() {
        return state.get().refusal();
    }
}
