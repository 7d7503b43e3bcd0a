package dev.agentstack.cli;

import dev.agentstack.config.Option;
import dev.agentstack.config.Options;

/** The {@code --help} text, generated from the option catalogue so it cannot drift from the code. */
final class Help {

    private Help() {
    }

    static String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                Usage: java -jar agent-stack-camel.jar [command] [options]

                Runs Buildkite jobs as Kubernetes Jobs: polls Buildkite's GraphQL API for jobs scheduled on its queue
                and creates a Kubernetes Job for each.

                Commands:
                  run       run the controller (the default); stops on a signal or after --max-seconds N
                  demo      run the controller against an embedded fake Buildkite and Kubernetes API, seeded from
                            examples/pipelines; stops on Ctrl-C or after --max-seconds N
                  render PIPELINE.yaml
                            print the Kubernetes Job the controller would create for each job of a pipeline file
                            (YAML documents in step order); a step that cannot run prints "error: <step>: <reason>"
                            on stderr; exit code 1 when any step failed
                  lint PIPELINE.yaml|-
                            check every step's kubernetes plugin offline (JSON schema and the controller's own
                            rules); prints "<step>: <path>: <problem>" per problem; exit code 1 when any
                  version   print the version

                Options (also AGENT_STACK_<KEY> environment variables, or keys of the --config YAML file):
                  -f, --config FILE
                      YAML config file with the options below as kebab-case keys (also env AGENT_STACK_CONFIG or CONFIG)
                  -h, --help
                      print this help
                """);
        for (Option<?> o : Options.ALL) {
            if (o.isFileOnly()) {
                continue;
            }
            sb.append("  ").append(o.flag());
            if (o.kind() != Option.Kind.BOOLEAN) {
                sb.append(' ').append(o.kind().label().toUpperCase(java.util.Locale.ROOT).replace(' ', '-'));
            }
            sb.append("\n      ").append(o.description());
            String def = o.defaultValue() == null ? "" : o.toText(o.defaultValue());
            sb.append(" (default: ").append(def.isEmpty() ? o.isRequired() ? "none, required" : "empty" : def)
                    .append("; env ").append(String.join(" or ", o.envNames())).append(")\n");
        }
        sb.append("\nConfig-file-only options:\n");
        for (Option<?> o : Options.ALL) {
            if (o.isFileOnly()) {
                sb.append("  ").append(o.key()).append(": ").append(o.description()).append('\n');
            }
        }
        sb.append("\nRun and demo options:\n  --max-seconds N\n"
                + "      stop after N seconds (default: run until Ctrl-C or a signal)\n");
        return sb.toString();
    }
}
