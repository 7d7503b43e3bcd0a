package dev.agentstack.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration from its four sources, lowest to highest precedence: the defaults of {@link Options}, a YAML
 * config file ({@code --config FILE}, or env {@code AGENT_STACK_CONFIG} / {@code CONFIG}), prefixed environment
 * variables ({@code AGENT_STACK_ORG}, ...; {@code BUILDKITE_TOKEN} as is) and command-line flags.
 */
public final class ConfigLoader {

    /** Environment variables naming the config file, in order of preference. */
    public static final List<String> CONFIG_FILE_ENV = List.of("AGENT_STACK_CONFIG", "CONFIG");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /**
     * Loads and validates the configuration.
     *
     * @param flags      option values given on the command line, by option key (text as typed)
     * @param configFile the --config flag, or null
     * @param env        the process environment
     * @param connecting true when the controller will connect to Buildkite, so org and token are required
     */
    public static ControllerConfig load(Map<String, String> flags, String configFile, Map<String, String> env,
                                        boolean connecting) {
        ControllerConfig.Builder builder = ControllerConfig.builder();
        Map<Option<?>, Object> values = new LinkedHashMap<>();

        String file = configFile;
        for (String name : CONFIG_FILE_ENV) {
            if (file == null && env.get(name) != null && !env.get(name).isBlank()) {
                file = env.get(name);
            }
        }
        if (file != null) {
            values.putAll(readFile(Path.of(file)));
        }

        for (Option<?> option : Options.ALL) {
            if (option.isFileOnly()) {
                continue;
            }
            List<String> names = new ArrayList<>(option.envNames());
            java.util.Collections.reverse(names); // the prefixed name is applied last, so it wins
            for (String name : names) {
                String v = env.get(name);
                if (v != null && !v.isEmpty()) {
                    values.put(option, option.fromText(v));
                }
            }
        }

        flags.forEach((key, text) -> {
            Option<?> option = Options.byKey(key);
            if (option == null || option.isFileOnly()) {
                throw new ConfigException("unknown option --" + key + (option != null
                        ? " (it can only be set in a config file)" : " (see --help)"));
            }
            values.put(option, option.fromText(text));
        });

        values.forEach((o, v) -> put(builder, o, v));
        ControllerConfig config = builder.build();
        if (connecting) {
            checkRequired(config);
        }
        return config;
    }

    /** The options of a YAML config file; unknown keys and wrong types are errors. */
    static Map<Option<?>, Object> readFile(Path path) {
        Object doc;
        try {
            doc = YAML.readValue(Files.readString(path), Object.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + path + ": no such file");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException("config file " + path + ": not valid YAML"
                    + (at != null ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : ""));
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot be read: " + e.getMessage());
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + path + ": expected a map of options at the top level");
        }
        Map<Option<?>, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Option<?> option = Options.byKey(key);
            if (option == null) {
                throw new ConfigException("config file " + path + ": unknown option \"" + key + "\"");
            }
            Object v = option.fromYaml(e.getValue());
            if (v != null) {
                values.put(option, v);
            }
        }
        return values;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void put(ControllerConfig.Builder b, Option o, Object v) {
        b.set(o, v);
    }

    /** Throws when an option that connecting to Buildkite needs (org, token) has no value. */
    public static void checkRequired(ControllerConfig config) {
        for (Option<?> option : Options.ALL) {
            Object v = config.get(option);
            if (option.isRequired() && (v == null || v.toString().isBlank())) {
                throw new ConfigException(option, "required (set " + String.join(", ", whereToSet(option)) + ")");
            }
        }
    }

    /** Checks every option's rules, then the rules that join several options; throws the first problem. */
    static void validate(ControllerConfig config) {
        validateEach(config);
        // The Lease protocol needs lease > renew deadline > 1.2 x retry period (Camel's KubernetesClusterService).
        if (config.leaderElectionLeaseDuration().compareTo(config.leaderElectionRenewDeadline()) <= 0) {
            throw new ConfigException(Options.LEADER_ELECTION_LEASE_DURATION, "must be longer than"
                    + " leader-election-renew-deadline (" + Durations.format(config.leaderElectionRenewDeadline())
                    + ")");
        }
        if (config.leaderElectionRenewDeadline().toMillis() <= 1.2 * config.leaderElectionRetryPeriod().toMillis()) {
            throw new ConfigException(Options.LEADER_ELECTION_RENEW_DEADLINE, "must be longer than 1.2 x"
                    + " leader-election-retry-period (" + Durations.format(config.leaderElectionRetryPeriod()) + ")");
        }
        // Commands in the controller's patch need the unsafe option; images must be lower case (the original's rules).
        String patchProblem = ControllerPodSpecPatch.problem(config.get(Options.POD_SPEC_PATCH),
                config.get(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION));
        if (patchProblem != null) {
            throw new ConfigException(Options.POD_SPEC_PATCH, patchProblem);
        }
        List<QueueConfig> queues = config.queues();
        for (int i = 0; i < queues.size(); i++) {
            String problem = queues.get(i)
                    .problem(config.get(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION));
            if (problem != null) {
                throw new ConfigException(Options.QUEUES, "[" + i + "]: " + problem);
            }
        }
    }

    private static void validateEach(ControllerConfig config) {
        for (Option<?> option : Options.ALL) {
            Object v = config.get(option);
            if (v != null) {
                String problem = firstProblem(option, v);
                if (problem != null) {
                    throw new ConfigException(option, problem);
                }
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String firstProblem(Option option, Object v) {
        return option.firstProblem(v);
    }

    private static List<String> whereToSet(Option<?> option) {
        List<String> where = new ArrayList<>();
        if (!option.isFileOnly()) {
            where.add(option.flag());
            where.addAll(option.envNames());
        }
        where.add(option.key() + ": in the config file");
        return where;
    }
}
