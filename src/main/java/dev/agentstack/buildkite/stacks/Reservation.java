package dev.agentstack.buildkite.stacks;

import java.util.List;

/** The answer of {@code PUT /stacks/{key}/scheduled-jobs/batch-reserve}: only {@code reserved} jobs are ours. */
public record Reservation(List<String> reserved, List<String> notReserved) {

    public Reservation {
        reserved = List.copyOf(reserved);
        notReserved = List.copyOf(notReserved);
    }
}
