package dev.agentstack.cli;

import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import java.util.Locale;

/** The help texts, generated from the commands and the option catalogue so they cannot drift from the code. */
final class Help {

    private static final String JAR = "java -jar agent-stack-camel.jar";

    private Help() {}

    /** Plain {@code --help}: the commands, one line each. */
    static String overview() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ")
                .append(JAR)
                .append(" [COMMAND] [OPTIONS] [ARGUMENTS]\n\n")
                .append("Runs Buildkite jobs as Kubernetes Jobs: polls Buildkite's GraphQL API for jobs scheduled on"
                        + " its queue\nand creates a Kubernetes Job for each.\n\nCommands:\n");
        for (Command c : Command.values()) {
            sb.append(String.format(Locale.ROOT, "  %-9s %s%n", c.word(), c.summary()));
        }
        sb.append("\nRun \"")
                .append(JAR)
                .append(" COMMAND --help\" (or \"help COMMAND\") for a command's usage and" + " options.\n");
        return sb.toString();
    }

    /** {@code COMMAND --help}: its usage and only the options it takes. */
    static String of(Command command) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ")
                .append(JAR)
                .append(' ')
                .append(command.word())
                .append(command == Command.VERSION ? "" : " [OPTIONS]")
                .append(command.arguments().isEmpty() ? "" : " " + command.arguments())
                .append("\n\n")
                .append(command.description())
                .append("\nOptions:\n");
        for (Command.Flag flag : command.flags()) {
            sb.append("  ")
                    .append(flag.shortName() == null ? "" : "-" + flag.shortName() + ", ")
                    .append("--")
                    .append(flag.name())
                    .append(flag.value() == null ? "" : " " + flag.value())
                    .append("\n      ")
                    .append(flag.description())
                    .append('\n');
        }
        if (command.takesControllerOptions()) {
            sb.append("  -f, --config FILE\n      YAML config file with the controller options as kebab-case keys"
                    + " (also env AGENT_STACK_CONFIG or CONFIG)\n");
        }
        sb.append("  -h, --help\n      print this help\n");
        if (command.listsControllerOptions()) {
            controllerOptions(sb);
        }
        return sb.toString();
    }

    private static void controllerOptions(StringBuilder sb) {
        sb.append("\nController options (also AGENT_STACK_<KEY> environment variables, or keys of the --config"
                + " YAML file; run also reads agent-stack-k8s' variable names such as MAX_IN_FLIGHT, see"
                + " docs/upgrading.md):\n");
        for (Option<?> o : Options.ALL) {
            if (o.isFileOnly()) {
                continue;
            }
            sb.append("  ").append(o.flag());
            if (o.kind() != Option.Kind.BOOLEAN) {
                sb.append(' ').append(o.kind().label().toUpperCase(Locale.ROOT).replace(' ', '-'));
            }
            sb.append("\n      ").append(o.description());
            String def = o.defaultValue() == null ? "" : o.toText(o.defaultValue());
            sb.append(" (default: ")
                    .append(def.isEmpty() ? o.isRequired() ? "none, required" : "empty" : def)
                    .append("; env ")
                    .append(String.join(" or ", o.envNames()))
                    .append(")\n");
        }
        sb.append("\nConfig-file-only options:\n");
        for (Option<?> o : Options.ALL) {
            if (o.isFileOnly()) {
                sb.append("  ")
                        .append(o.key())
                        .append(": ")
                        .append(o.description())
                        .append('\n');
            }
        }
    }
}
