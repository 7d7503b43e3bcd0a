package dev.agentstack.buildkite.stacks;

/**
 * What the agent API's {@code GET /token} says about the agent token: whose organization and cluster it belongs to.
 * Holds no token.
 */
public record TokenInfo(
        String uuid,
        String description,
        String tokenType,
        String organizationSlug,
        String organizationUuid,
        String clusterUuid,
        String clusterName,
        String organizationQueueUuid,
        String organizationQueueKey) {

    /** Only a cluster's agent token can use the Stacks API. */
    public boolean isClusterToken() {
        return clusterUuid != null && !clusterUuid.isEmpty();
    }
}
