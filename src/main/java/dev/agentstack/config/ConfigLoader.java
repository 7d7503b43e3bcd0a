package dev.agentstack.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.podspec.ControllerPodSpecPatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration from its four sources, lowest to highest precedence: the defaults of {@link Options}, a YAML
 * config file ({@code --config FILE}, or env {@code AGENT_STACK_CONFIG} / {@code CONFIG}), environment variables
 * (for the controller agent-stack-k8s' names such as {@code MAX_IN_FLIGHT}, then ours, {@code AGENT_STACK_ORG}, ...;
 * {@code BUILDKITE_TOKEN} as is) and command-line flags. The original's keys that do nothing here are accepted with a
 * warning ({@link Options#IGNORED}).
 */
public final class ConfigLoader {

    /** Environment variables naming the config file, in order of preference. */
    public static final List<String> CONFIG_FILE_ENV = List.of("AGENT_STACK_CONFIG", "CONFIG");

    /** A repeated key is an error: YAML says keys are unique, and "the last one wins" hides a mistake. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private ConfigLoader() {}

    /**
     * Loads and validates the configuration, reading only our own variable names.
     *
     * @param flags      option values given on the command line, by option key (text as typed)
     * @param configFile the --config flag, or null
     * @param env        the process environment
     * @param connecting true when the controller will connect to Buildkite, so org and token are required
     */
    public static ControllerConfig load(
            Map<String, String> flags, String configFile, Map<String, String> env, boolean connecting) {
        return load(flags, configFile, env, connecting, false);
    }

    /**
     * As {@link #load(Map, String, Map, boolean)}.
     *
     * @param originalEnvNames also read agent-stack-k8s' variable names ({@code MAX_IN_FLIGHT}, ...), below ours: the
     *                         controller's Deployment may carry them. {@code render} and {@code lint} do not, so that
     *                         an {@code IMAGE} or {@code NAMESPACE} in a developer's shell cannot change what they
     *                         print.
     */
    public static ControllerConfig load(
            Map<String, String> flags,
            String configFile,
            Map<String, String> env,
            boolean connecting,
            boolean originalEnvNames) {
        ControllerConfig.Builder builder = ControllerConfig.builder();
        Map<Option<?>, Object> values = new LinkedHashMap<>();

        String file = configFile;
        for (String name : CONFIG_FILE_ENV) {
            if (file == null && env.get(name) != null && !env.get(name).isBlank()) {
                file = env.get(name);
            }
        }
        if (file != null) {
            values.putAll(readFile(Path.of(file), builder));
        }

        checkEnvNames(env);
        for (Option<?> option : Options.ALL) {
            if (option.isFileOnly()) {
                continue;
            }
            List<String> names = new ArrayList<>(option.envNames());
            if (originalEnvNames && option.originalEnvName() != null) {
                names.add(option.originalEnvName());
            }
            java.util.Collections.reverse(names); // the original's name first, the prefixed one last, so it wins
            for (String name : names) {
                String v = env.get(name);
                if (v != null && !v.isEmpty()) {
                    values.put(option, option.fromText(v));
                }
            }
        }

        for (IgnoredOption ignored : originalEnvNames ? Options.IGNORED : List.<IgnoredOption>of()) {
            String v = env.get(ignored.originalEnvName());
            if (v != null && !v.isEmpty()) {
                builder.warn(ignored.warning());
            }
        }

        flags.forEach((key, text) -> {
            IgnoredOption ignored = Options.ignoredByKey(key);
            if (ignored != null) {
                builder.warn(ignored.warning());
                return;
            }
            Option<?> option = Options.byKey(key);
            if (option == null || option.isFileOnly()) {
                throw new ConfigException("unknown option --" + key
                        + (option != null ? " (it can only be set in a config file)" : " (see --help)"));
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

    /**
     * An {@code AGENT_STACK_*} variable that sets nothing is an error, as an unknown flag is: a typo would otherwise
     * leave the default in force without a word. Only the name is quoted, never the value.
     */
    static void checkEnvNames(Map<String, String> env) {
        java.util.Set<String> known = new java.util.TreeSet<>(CONFIG_FILE_ENV);
        for (Option<?> option : Options.ALL) {
            if (!option.isFileOnly()) {
                known.add(option.envName());
            }
        }
        for (String name : new java.util.TreeSet<>(env.keySet())) {
            if (!name.startsWith(Option.ENV_PREFIX) || known.contains(name)) {
                continue;
            }
            Option<?> fileOnly = Options.byKey(name.substring(Option.ENV_PREFIX.length())
                    .toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-'));
            if (fileOnly != null) {
                throw new ConfigException("unknown environment variable " + name + " (" + fileOnly.key()
                        + " can only be set in a config file)");
            }
            String nearest = NearestName.of(name, known);
            throw new ConfigException("unknown environment variable " + name
                    + (nearest != null ? " (did you mean " + nearest + "?)" : " (see --help)"));
        }
    }

    /**
     * The options of a YAML config file; unknown keys and wrong types are errors. A key of the original that does
     * nothing here becomes a warning on the builder.
     */
    static Map<Option<?>, Object> readFile(Path path, ControllerConfig.Builder warnings) {
        Object doc;
        try {
            doc = YAML.readValue(utf8(Files.readAllBytes(path), path), Object.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + path + ": no such file");
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            if (!String.valueOf(e.getOriginalMessage()).startsWith("No content")) {
                throw new ConfigException("config file " + path + ": not valid YAML" + where(e.getLocation()));
            }
            doc = null; // only blank lines and comments
        } catch (JsonProcessingException e) {
            String where = where(e.getLocation());
            String duplicate = duplicateKey(e);
            throw new ConfigException("config file " + path + ": "
                    + (duplicate != null
                            ? "key \"" + duplicate + "\" appears twice in one mapping" + where
                            : "not valid YAML" + where));
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot be read: " + e.getMessage());
        }
        if (doc == null) {
            // Most likely a mount or ConfigMap key that is not what was meant: say so rather than run on defaults.
            throw new ConfigException("config file " + path + ": is empty (it sets no option)");
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + path + ": expected a map of options at the top level");
        }
        Map<Option<?>, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Option<?> option = Options.byKey(key);
            IgnoredOption ignored = Options.ignoredByKey(key);
            if (ignored != null) {
                warnings.warn(ignored.warning());
                continue;
            }
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

    /** The text of a UTF-8 file; other bytes are an error that gives the offset of the first one that is not. */
    static String utf8(byte[] bytes, Path path) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new ConfigException("config file " + path + ": not UTF-8 text (byte offset " + in.position() + ")");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static String where(JsonLocation at) {
        return at != null ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : "";
    }

    /** The key a duplicate-key error names, or null for another error. */
    private static String duplicateKey(JsonProcessingException e) {
        java.util.regex.Matcher m = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        return m.find() ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("^Duplicate field '(.*)'");

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void put(ControllerConfig.Builder b, Option o, Object v) {
        b.set(o, v);
    }

    /**
     * Throws when an option that connecting to Buildkite needs (org, token) has no value. The Stacks API needs neither
     * (the agent token names the organization): with buildkite-api stacks, or no GraphQL token, they are not required.
     */
    public static void checkRequired(ControllerConfig config) {
        for (Option<?> option : Options.ALL) {
            Object v = config.get(option);
            boolean graphqlOnly = option == Options.ORG || option == Options.BUILDKITE_TOKEN;
            if (graphqlOnly && config.usesStacksApi()) {
                continue;
            }
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
            throw new ConfigException(
                    Options.LEADER_ELECTION_LEASE_DURATION,
                    "must be longer than"
                            + " leader-election-renew-deadline ("
                            + Durations.format(config.leaderElectionRenewDeadline())
                            + ")");
        }
        if (config.leaderElectionRenewDeadline().toMillis()
                <= 1.2 * config.leaderElectionRetryPeriod().toMillis()) {
            throw new ConfigException(
                    Options.LEADER_ELECTION_RENEW_DEADLINE,
                    "must be longer than 1.2 x" + " leader-election-retry-period ("
                            + Durations.format(config.leaderElectionRetryPeriod()) + ")");
        }
        int prometheusPort = config.get(Options.PROMETHEUS_PORT);
        if (prometheusPort > 0 && prometheusPort == config.managementPort()) {
            throw new ConfigException(
                    Options.PROMETHEUS_PORT,
                    "must differ from management-port, which serves the" + " metrics at /observe/metrics already, got "
                            + prometheusPort + " for both");
        }
        // Commands in the controller's patch need the unsafe option; images must be lower case (the original's rules).
        String patchProblem = ControllerPodSpecPatch.problem(
                config.get(Options.POD_SPEC_PATCH),
                config.get(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION));
        if (patchProblem != null) {
            throw new ConfigException(Options.POD_SPEC_PATCH, patchProblem);
        }
        List<QueueConfig> queues = config.queues();
        for (int i = 0; i < queues.size(); i++) {
            String problem =
                    queues.get(i).problem(config.get(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION));
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
