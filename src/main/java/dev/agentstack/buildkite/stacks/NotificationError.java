package dev.agentstack.buildkite.stacks;

import java.util.List;

/** Items of one notifications request that Buildkite refused, by index, and why; the others were created. */
public record NotificationError(String error, List<Integer> indexes) {

    public NotificationError {
        indexes = List.copyOf(indexes);
    }
}
