package dev.agentstack.cli;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.IgnoredOption;
import dev.agentstack.config.NearestName;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parsed command line: {@code agent-stack-camel [command] [options] [arguments]}, or {@code help [command]}.
 * Options are the configuration options of {@link Options} ({@code --key value} or {@code --key=value}; a boolean may
 * stand alone), plus {@code --config FILE} ({@code -f}), {@code --help} ({@code -h}) and the command's own flags. A
 * flag the command does not take is an error that names the nearest one it does.
 *
 * @param command     the command, {@link Command#RUN} when none was given; null for {@code --help} without one
 * @param options     configuration options by key, as typed
 * @param configFile  the --config value, or null
 * @param extras      the command's own flags by long name (without dashes)
 * @param arguments   positional arguments
 * @param help        help was asked for (then nothing else was parsed)
 */
record CommandLine(
        Command command,
        Map<String, String> options,
        String configFile,
        Map<String, String> extras,
        List<String> arguments,
        boolean help) {

    static CommandLine parse(String[] args) {
        if (args.length > 0 && args[0].equals("help")) {
            return helpFor(args.length > 1 ? command(args[1]) : null);
        }
        boolean named = args.length > 0 && !args[0].startsWith("-");
        Command command = named ? command(args[0]) : Command.RUN;
        if (asksForHelp(args)) {
            return helpFor(named ? command : null);
        }
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> extras = new LinkedHashMap<>();
        List<String> arguments = new ArrayList<>();
        String configFile = null;
        boolean onlyArguments = false;
        for (int i = named ? 1 : 0; i < args.length; i++) {
            String arg = args[i];
            if (onlyArguments || !arg.startsWith("-") || arg.equals("-")) {
                arguments.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyArguments = true;
                continue;
            }
            String name;
            String value = null;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                name = eq > 0 ? arg.substring(2, eq) : arg.substring(2);
                value = eq > 0 ? arg.substring(eq + 1) : null;
            } else {
                name = longName(command, arg);
            }
            Command.Flag flag = flag(command, name);
            IgnoredOption ignored = Options.ignoredByKey(name);
            boolean controllerOption = command.takesControllerOptions()
                    && (name.equals("config") || Options.byKey(name) != null || ignored != null);
            if (flag == null && !controllerOption) {
                throw unknown(command, arg.startsWith("--") ? "--" + name : arg);
            }
            boolean takesNoValue = flag != null
                    ? flag.value() == null
                    : Options.byKey(name) != null
                            ? Options.byKey(name).kind() == Option.Kind.BOOLEAN
                            : ignored != null && ignored.kind() == Option.Kind.BOOLEAN;
            if (value == null) {
                if (takesNoValue) {
                    boolean explicit =
                            i + 1 < args.length && (args[i + 1].equals("true") || args[i + 1].equals("false"));
                    value = explicit ? args[++i] : "true";
                } else {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
            }
            if (flag != null) {
                extras.put(name, value);
            } else if (name.equals("config")) {
                configFile = value;
            } else {
                options.put(name, value); // file-only options are refused by the config loader, which says why
            }
        }
        return new CommandLine(command, options, configFile, extras, arguments, false);
    }

    private static CommandLine helpFor(Command command) {
        return new CommandLine(command, Map.of(), null, Map.of(), List.of(), true);
    }

    /** -h or --help before any {@code --}: help wins over whatever else was typed, mistakes included. */
    private static boolean asksForHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    private static Command command(String word) {
        Command command = Command.named(word);
        if (command == null) {
            String nearest = NearestName.of(word, Command.words());
            throw new ConfigException("unknown command \"" + word + "\""
                    + (nearest != null
                            ? " (did you mean " + nearest + "?)"
                            : " (commands: " + String.join(", ", Command.words()) + ")"));
        }
        return command;
    }

    /** The long name of a one-letter flag such as -f or -o. */
    private static String longName(Command command, String arg) {
        if (arg.equals("-f") && command.takesControllerOptions()) {
            return "config";
        }
        for (Command.Flag flag : command.flags()) {
            if (flag.shortName() != null && arg.equals("-" + flag.shortName())) {
                return flag.name();
            }
        }
        throw unknown(command, arg);
    }

    private static Command.Flag flag(Command command, String name) {
        return command.flags().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static ConfigException unknown(Command command, String typed) {
        String nearest = typed.startsWith("--") ? NearestName.of(typed, flagsOf(command)) : null;
        return new ConfigException("unknown option " + typed
                + (nearest != null ? " (did you mean " + nearest + "?)" : " (see " + command.word() + " --help)"));
    }

    /** Every long flag the command takes, with its dashes. */
    static TreeSet<String> flagsOf(Command command) {
        TreeSet<String> flags = new TreeSet<>(List.of("--help"));
        command.flags().forEach(f -> flags.add("--" + f.name()));
        if (command.takesControllerOptions()) {
            flags.add("--config");
            Options.ALL.stream().filter(o -> !o.isFileOnly()).forEach(o -> flags.add(o.flag()));
        }
        return flags;
    }
}
