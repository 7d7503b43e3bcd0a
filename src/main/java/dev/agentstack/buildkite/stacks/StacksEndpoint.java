package dev.agentstack.buildkite.stacks;

/**
 * The calls of Buildkite's Stacks API (and the agent API's {@code GET /token}). Buildkite rate-limits each endpoint
 * on its own (per stack, over a sliding second), so {@link StacksClient#readyAt} is kept per endpoint.
 */
public enum StacksEndpoint {
    TOKEN("token"),
    REGISTER("register"),
    DEREGISTER("deregister"),
    LIST("scheduled-jobs"),
    RESERVE("batch-reserve"),
    GET_JOB("get-job"),
    GET_STATES("get-states"),
    FINISH("finish"),
    NOTIFY("notifications");

    private final String callName;

    StacksEndpoint(String callName) {
        this.callName = callName;
    }

    /** The name in error messages and metric labels, e.g. {@code scheduled-jobs}. */
    public String callName() {
        return callName;
    }
}
