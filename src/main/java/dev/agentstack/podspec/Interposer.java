package dev.agentstack.podspec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * How a container's {@code command} and {@code args} become the job's BUILDKITE_COMMAND (the original's
 * {@code commandParams.interposer}). The empty string means "not set", so the next source decides.
 */
public enum Interposer {

    /** Command elements are script lines (joined with newlines); args are shell-quoted onto the last line. */
    BUILDKITE("buildkite"),
    /** Command and args are one argument vector: each element shell-quoted, space-joined. */
    VECTOR("vector"),
    /** The v0.14 behaviour: everything space-joined, no quoting. */
    LEGACY("legacy");

    private final String value;

    Interposer(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** Reads a configured value; "" is "not set" (null). The error wording is the original's. */
    @JsonCreator
    public static Interposer of(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        for (Interposer i : values()) {
            if (i.value.equals(value)) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                "invalid interposer \"" + value + "\", must be one of: [ buildkite vector legacy]");
    }

    /** BUILDKITE_COMMAND for a container with this command and these args. */
    public String command(List<String> command, List<String> args) {
        List<String> cmd = command == null ? List.of() : command;
        List<String> arguments = args == null ? List.of() : args;
        List<String> all = new ArrayList<>(cmd);
        all.addAll(arguments);
        return switch (this) {
            case BUILDKITE -> {
                String lines = String.join("\n", cmd);
                if (arguments.isEmpty()) {
                    yield lines;
                }
                yield lines.isEmpty() ? ShellQuote.join(arguments) : lines + " " + ShellQuote.join(arguments);
            }
            case VECTOR -> ShellQuote.join(all);
            case LEGACY -> String.join(" ", all);
        };
    }
}
