package dev.agentstack.buildkite;

/**
 * The job source cannot work with this configuration (the organization does not exist, the agent token is refused,
 * the stack cannot be registered): no retry can fix it, so the controller stops with this message (exit code 2).
 */
public class JobSourceUnusableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobSourceUnusableException(String message) {
        super(message, null, false, false);
    }
}
