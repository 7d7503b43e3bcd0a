package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.JobStatesQuery.JobState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Jobs' states through the Stacks API (get-states: {@code scheduled}, {@code reserved}, {@code running},
 * {@code canceled}, ...), read in the GraphQL source's terms so the checks after them are shared: the cancel checker's
 * and act-on-finding's "is it still scheduled?". Each job is asked about on the stack that serves its queue, the one
 * that reserved it: the API documents no answer about another stack's jobs.
 */
public final class StackJobStates {

    private final StacksClient client;
    private final StackKeys stackKeys;
    private final Function<String, String> queueOfJob;

    /** @param queueOfJob the queue of a job by uuid (its Job's queue tag), null when not known: the first queue's */
    public StackJobStates(StacksClient client, StackKeys stackKeys, Function<String, String> queueOfJob) {
        this.client = client;
        this.stackKeys = stackKeys;
        this.queueOfJob = queueOfJob;
    }

    /** One job's state, as {@link #of} reads it. */
    public JobState state(String uuid) {
        return of(uuid, client.states(stackOf(uuid), List.of(uuid)).get(uuid));
    }

    /**
     * The cancelled ones among these jobs (at most {@link StacksClient#MAX_BATCH}): one get-states request per stack
     * that serves one of their queues.
     */
    public List<String> cancelled(List<String> uuids) {
        Map<String, List<String>> byStack = new LinkedHashMap<>();
        for (String uuid : uuids) {
            byStack.computeIfAbsent(stackOf(uuid), k -> new ArrayList<>()).add(uuid);
        }
        List<String> out = new ArrayList<>();
        byStack.forEach((stackKey, jobs) -> out.addAll(cancelled(client.states(stackKey, jobs))));
        return out;
    }

    private String stackOf(String uuid) {
        return stackKeys.ofQueue(queueOfJob.apply(uuid));
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
