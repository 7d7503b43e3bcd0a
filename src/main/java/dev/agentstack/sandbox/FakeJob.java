package dev.agentstack.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A job held by {@link FakeBuildkite}, in the states Buildkite's API reports. Mutable; guarded by the fake's lock.
 */
public final class FakeJob {

    final String uuid;
    final String id;
    final String label;
    final String command;
    final List<String> agentQueryRules;
    final int priority;
    final List<String> env;
    final String clusterUuid;
    final Instant createdAt;
    final long sequence;
    Instant scheduledAt;
    String state = "SCHEDULED";
    Instant startedAt;
    Instant finishedAt;
    Instant canceledAt;
    String exitStatus;
    String signalReason;
    String acquiredBy;
    /** The Stacks API stack that reserved it, until {@link #reservedUntil}; null when never reserved. */
    String reservedBy;

    Instant reservedUntil;
    final StringBuilder log = new StringBuilder();
    /**
     * Log chunks are identified by their sequence number: an upload retried with the same one is not appended twice.
     */
    final java.util.Set<String> chunkSequences = new java.util.HashSet<>();

    final List<String> agentApiCalls = new ArrayList<>();

    FakeJob(
            String uuid,
            String label,
            String command,
            List<String> agentQueryRules,
            int priority,
            List<String> env,
            String clusterUuid,
            Instant createdAt,
            long sequence) {
        this.uuid = uuid;
        this.id = nodeId(uuid);
        this.label = label;
        this.command = command;
        this.agentQueryRules = List.copyOf(agentQueryRules);
        this.priority = priority;
        this.env = List.copyOf(env);
        this.clusterUuid = clusterUuid;
        this.createdAt = createdAt;
        this.scheduledAt = createdAt;
        this.sequence = sequence;
    }

    /** True while a Stacks API reservation holds it for a stack. */
    boolean isReserved(Instant now) {
        return reservedBy != null && reservedUntil != null && now.isBefore(reservedUntil);
    }

    /** The GraphQL node id Buildkite gives a job: base64 of {@code Job---<uuid>}. */
    public static String nodeId(String uuid) {
        return Base64.getEncoder().encodeToString(("Job---" + uuid).getBytes(StandardCharsets.UTF_8));
    }

    /** A read-only snapshot for tests and the demo. */
    public record Snapshot(
            String uuid,
            String id,
            String label,
            String state,
            List<String> agentQueryRules,
            String exitStatus,
            String signalReason,
            String log,
            List<String> agentApiCalls) {}

    Snapshot snapshot() {
        return new Snapshot(
                uuid,
                id,
                label,
                state,
                agentQueryRules,
                exitStatus,
                signalReason,
                log.toString(),
                List.copyOf(agentApiCalls));
    }
}
