package dev.agentstack.buildkite.stacks;

import java.time.Instant;

/**
 * One item for a job's timeline ({@code POST /stacks/{key}/notifications}).
 *
 * @param timestamp when it happened; null sends none
 */
public record Notification(String jobUuid, String detail, Instant timestamp) {}
