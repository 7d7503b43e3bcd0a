package dev.agentstack.podspec;

/**
 * A Buildkite job that cannot become a Kubernetes Job (a malformed kubernetes plugin, an invalid patch, ...); the
 * message is the reason, in words for the job's log. Thrown by {@link PodSpecBuilder#jobFor} to the scheduling route,
 * which fails the job in Buildkite instead of creating anything. Without a stack trace: it is an answer, not a bug.
 */
public final class JobCannotRunException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobCannotRunException(String reason) {
        super(reason, null, false, false);
    }
}
