package dev.agentstack.buildkite.stacks;

import java.util.Map;

/** A job's details from {@code GET /stacks/{key}/jobs/{uuid}}: its command and env (BUILDKITE_PLUGINS among it). */
public record StackJob(String id, Map<String, String> env, String command) {

    public StackJob {
        env = env == null ? Map.of() : Map.copyOf(env);
        command = command == null ? "" : command;
    }

    @Override
    public String toString() {
        return "StackJob[id=" + id + "]"; // the env can carry pipeline secrets
    }
}
