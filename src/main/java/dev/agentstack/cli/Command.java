package dev.agentstack.cli;

import java.util.List;

/**
 * The commands, with what their help shows: usage, a summary, and the flags each takes besides the controller options
 * of the catalogue. The parser reads the flags from here, so help and parsing cannot disagree.
 */
enum Command {
    RUN(
            "run",
            "",
            "run the controller (the default); stops on a signal or after --max-seconds N",
            """
            Polls Buildkite for jobs scheduled on the stack's queue and creates a Kubernetes Job for each.
            """,
            true,
            List.of(Flag.MAX_SECONDS)),
    DEMO(
            "demo",
            "",
            "run the controller against an embedded fake Buildkite and Kubernetes API",
            """
            Runs the controller against an embedded fake Buildkite and Kubernetes API with a simulated cluster,
            seeded from examples/pipelines, and reports what became of each job; stops on Ctrl-C or after
            --max-seconds N. The organization, tokens and endpoints are the demo's own; other controller options
            (see run --help) are honoured. Only agent-stack-camel-demo.jar has the fakes.
            """,
            false,
            List.of(Flag.MAX_SECONDS)),
    RENDER(
            "render",
            "PIPELINE.yaml",
            "print the Kubernetes Jobs the controller would create for a pipeline file",
            """
            Prints the Kubernetes Job the controller would create for each job of a pipeline file, in step order,
            with the controller options below applied. A step that cannot run prints "error: <step>: <reason>" on
            stderr; the exit code is 1 when any step failed.
            """,
            true,
            List.of(Flag.OUTPUT)),
    LINT("lint", "PIPELINE.yaml|-", "check every step's kubernetes plugin offline", """
            Checks every step's kubernetes plugin offline, against the JSON schema and the controller's own rules
            with the controller options below applied. Prints "<step>: <path>: <problem>" per problem; the exit code
            is 1 when there is any. "-" reads the pipeline from stdin.
            """, true, List.of()),
    VERSION("version", "", "print the version", "Prints the version and when it was built.\n", false, List.of());

    private final String word;
    private final String arguments;
    private final String summary;
    private final String description;
    private final boolean listsControllerOptions;
    private final List<Flag> flags;

    Command(
            String word,
            String arguments,
            String summary,
            String description,
            boolean listsControllerOptions,
            List<Flag> flags) {
        this.word = word;
        this.arguments = arguments;
        this.summary = summary;
        this.description = description;
        this.listsControllerOptions = listsControllerOptions;
        this.flags = flags;
    }

    /** The command as typed. */
    String word() {
        return word;
    }

    /** Its positional arguments for the usage line, empty when none. */
    String arguments() {
        return arguments;
    }

    /** One line for the command list. */
    String summary() {
        return summary;
    }

    /** What {@code COMMAND --help} says above the options. */
    String description() {
        return description;
    }

    /** Whether its help lists the controller options (demo accepts them too, but sets the important ones itself). */
    boolean listsControllerOptions() {
        return listsControllerOptions;
    }

    /** Whether it accepts the controller options and {@code --config}. */
    boolean takesControllerOptions() {
        return this != VERSION;
    }

    /** The command's own flags. */
    List<Flag> flags() {
        return flags;
    }

    /** The command typed as {@code word}, or null. */
    static Command named(String word) {
        for (Command c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        return null;
    }

    static List<String> words() {
        return java.util.Arrays.stream(values()).map(Command::word).toList();
    }

    /**
     * A command's own flag.
     *
     * @param name        the long name, without dashes
     * @param shortName   the one-letter name, or null
     * @param value       what its value is called in help, or null for a flag that takes none
     * @param description what it does, with its default
     */
    record Flag(String name, String shortName, String value, String description) {

        static final Flag MAX_SECONDS =
                new Flag("max-seconds", null, "N", "stop after N seconds (default: run until Ctrl-C or a signal)");
        static final Flag OUTPUT = new Flag(
                "output",
                "o",
                "yaml|json",
                "print the Jobs as YAML documents or as one JSON List, as kubectl get -o does (default: yaml)");
    }
}
