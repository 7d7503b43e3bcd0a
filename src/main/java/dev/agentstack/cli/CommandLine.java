package dev.agentstack.cli;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line: {@code agent-stack-camel [command] [options] [arguments]}. Options are the configuration
 * options of {@link Options} ({@code --key value} or {@code --key=value}; a boolean may stand alone), plus
 * {@code --config FILE} ({@code -f}), {@code --help} ({@code -h}) and the extra flags a command declares.
 *
 * @param command     the command, {@code run} when none was given
 * @param options     configuration options by key, as typed
 * @param configFile  the --config value, or null
 * @param extras      the command's own flags by name (without dashes)
 * @param arguments   positional arguments
 * @param help        --help was given
 */
public record CommandLine(String command, Map<String, String> options, String configFile, Map<String, String> extras,
                          List<String> arguments, boolean help) {

    public static final List<String> COMMANDS = List.of("run", "demo", "render", "lint", "version");

    /**
     * @param booleanExtras the command's extra flags that take no value
     * @param valueExtras   the command's extra flags that take a value
     */
    public static CommandLine parse(String[] args, Set<String> booleanExtras, Set<String> valueExtras) {
        int i = 0;
        String command = "run";
        if (args.length > 0 && !args[0].startsWith("-")) {
            if (!COMMANDS.contains(args[0])) {
                throw new ConfigException("unknown command \"" + args[0] + "\" (commands: "
                        + String.join(", ", COMMANDS) + ")");
            }
            command = args[0];
            i = 1;
        }
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> extras = new LinkedHashMap<>();
        List<String> arguments = new ArrayList<>();
        String configFile = null;
        boolean help = false;
        boolean onlyArguments = false;
        for (; i < args.length; i++) {
            String arg = args[i];
            if (onlyArguments || !arg.startsWith("-") || arg.equals("-")) {
                arguments.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyArguments = true;
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            String name;
            String value = null;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                name = eq > 0 ? arg.substring(2, eq) : arg.substring(2);
                value = eq > 0 ? arg.substring(eq + 1) : null;
            } else if (arg.equals("-f")) {
                name = "config";
            } else {
                throw new ConfigException("unknown option " + arg + " (see --help)");
            }
            boolean takesNoValue = booleanExtras.contains(name)
                    || (Options.byKey(name) != null && Options.byKey(name).kind() == Option.Kind.BOOLEAN);
            if (value == null) {
                if (takesNoValue) {
                    boolean explicit = i + 1 < args.length
                            && (args[i + 1].equals("true") || args[i + 1].equals("false"));
                    value = explicit ? args[++i] : "true";
                } else {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
            }
            if (name.equals("config")) {
                configFile = value;
            } else if (booleanExtras.contains(name) || valueExtras.contains(name)) {
                extras.put(name, value);
            } else {
                options.put(name, value); // unknown names are reported by the config loader, which knows the options
            }
        }
        return new CommandLine(command, options, configFile, extras, arguments, help);
    }
}
