package dev.agentstack.podspec;

/**
 * Why a Buildkite job cannot become a Kubernetes Job. Thrown inside the builder's steps and turned into
 * {@link BuildResult.Failed} at its edge, so no failure escapes as an exception.
 */
final class BuildFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BuildFailure(String reason) {
        super(reason, null, false, false);
    }
}
