package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.JobStatesQuery.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Stacks API's job states (get-states: {@code scheduled}, {@code reserved}, {@code running},
 * {@code canceled}, ...) mean to the routes, in the GraphQL source's terms, so the checks after them are shared.
 */
public final class StackJobStates {

    private StackJobStates() {
    }

    /**
     * The state in GraphQL's terms: {@code reserved} (held for a stack, still waiting for an agent) is SCHEDULED, the
     * rest upper-cased; a job the answer left out has a null state. There is no GraphQL id: nothing to cancel by.
     */
    public static JobState of(String uuid, String stacksState) {
        if (stacksState == null || stacksState.isEmpty()) {
            return new JobState(uuid, null, null);
        }
        String state = "reserved".equals(stacksState) ? "SCHEDULED" : stacksState.toUpperCase(Locale.ROOT);
        return new JobState(uuid, null, state);
    }

    /** The jobs cancelled in Buildkite ({@code canceled} or {@code canceling}) among get-states' answer. */
    public static List<String> cancelled(Map<String, String> states) {
        List<String> out = new ArrayList<>();
        states.forEach((uuid, state) -> {
            if ("canceled".equals(state) || "canceling".equals(state)) {
                out.add(uuid);
            }
        });
        return out;
    }
}
