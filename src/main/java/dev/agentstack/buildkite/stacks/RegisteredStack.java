package dev.agentstack.buildkite.stacks;

/**
 * A stack as {@code POST /stacks/register} answered: later calls use its {@code key} and {@code clusterQueueKey}.
 *
 * @param state connected, disconnected or lost
 */
public record RegisteredStack(String id, String key, String type, String clusterQueueKey, String state) {}
