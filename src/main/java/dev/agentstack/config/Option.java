package dev.agentstack.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One configuration option: its kebab-case key (also the config-file key, the flag and the Camel property), its type,
 * its default and its documentation. The catalogue of all options is {@link Options}.
 *
 * @param <T> the Java type of the value
 */
public final class Option<T> {

    /** How a value is written in a file, a flag or an environment variable. */
    public enum Kind {
        STRING("string"),
        BOOLEAN("boolean"),
        INTEGER("integer"),
        NUMBER("number"),
        DURATION("duration"),
        LIST("list"),
        OBJECT("object"),
        OBJECT_LIST("list of objects");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A rule a value must satisfy; returns the problem in a few words, or null when the value is fine. */
    @FunctionalInterface
    public interface Check<T> {
        String problem(T value);
    }

    public static final String ENV_PREFIX = "AGENT_STACK_";

    private final String key;
    private final Kind kind;
    private final T defaultValue;
    private final String description;
    private final boolean fileOnly;
    private final boolean secret;
    private final boolean required;
    private final List<String> extraEnvNames;
    private final String originalEnvName;
    private final List<Check<T>> checks;

    private Option(
            String key,
            Kind kind,
            T defaultValue,
            String description,
            boolean fileOnly,
            boolean secret,
            boolean required,
            List<String> extraEnvNames,
            String originalEnvName,
            List<Check<T>> checks) {
        this.key = key;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
        this.fileOnly = fileOnly;
        this.secret = secret;
        this.required = required;
        this.extraEnvNames = List.copyOf(extraEnvNames);
        this.originalEnvName = originalEnvName;
        this.checks = List.copyOf(checks);
    }

    static <T> Option<T> of(String key, Kind kind, T defaultValue, String description) {
        return new Option<>(
                key,
                kind,
                defaultValue,
                description,
                kind == Kind.OBJECT || kind == Kind.OBJECT_LIST,
                false,
                false,
                List.of(),
                null,
                List.of());
    }

    /** Only a config file can carry this option (no flag, no environment variable). */
    Option<T> fileOnly() {
        return new Option<>(
                key, kind, defaultValue, description, true, secret, required, extraEnvNames, originalEnvName, checks);
    }

    /** The value is a credential: it is never printed, exported as a Camel property or echoed in an error. */
    Option<T> secret() {
        return new Option<>(
                key, kind, defaultValue, description, fileOnly, true, required, extraEnvNames, originalEnvName, checks);
    }

    Option<T> required() {
        return new Option<>(
                key, kind, defaultValue, description, fileOnly, secret, true, extraEnvNames, originalEnvName, checks);
    }

    /** Also read from these environment variables, as the original controller was. */
    Option<T> alsoFromEnv(String... names) {
        List<String> all = new ArrayList<>(extraEnvNames);
        all.addAll(List.of(names));
        return new Option<>(
                key, kind, defaultValue, description, fileOnly, secret, required, all, originalEnvName, checks);
    }

    /**
     * agent-stack-k8s v0.47 read this option from an unprefixed variable, its flag in upper snake case (Kong's
     * default), e.g. MAX_IN_FLIGHT. The controller reads it with the lowest precedence of the environment, so users
     * moving over can keep their Deployment's env; not listed in --help, whose names are ours.
     */
    Option<T> originalEnv() {
        return originalEnv(key.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** As {@link #originalEnv()}, where the original named the variable itself. */
    Option<T> originalEnv(String name) {
        return new Option<>(
                key, kind, defaultValue, description, fileOnly, secret, required, extraEnvNames, name, checks);
    }

    Option<T> check(Check<T> check) {
        List<Check<T>> all = new ArrayList<>(checks);
        all.add(check);
        return new Option<>(
                key, kind, defaultValue, description, fileOnly, secret, required, extraEnvNames, originalEnvName, all);
    }

    public String key() {
        return key;
    }

    public Kind kind() {
        return kind;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public boolean isFileOnly() {
        return fileOnly;
    }

    public boolean isSecret() {
        return secret;
    }

    public boolean isRequired() {
        return required;
    }

    public String flag() {
        return "--" + key;
    }

    /** The prefixed variable, e.g. AGENT_STACK_POLL_INTERVAL, so that generic names like IMAGE cannot leak in. */
    public String envName() {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Every environment variable read for this option, the prefixed one first. */
    public List<String> envNames() {
        List<String> names = new ArrayList<>();
        names.add(envName());
        names.addAll(extraEnvNames);
        return names;
    }

    /** The variable agent-stack-k8s v0.47 read this option from, or null when it had none. */
    public String originalEnvName() {
        return originalEnvName;
    }

    /** Converts a value from a YAML document (already typed by the YAML parser). */
    T fromYaml(Object raw) {
        if (raw == null) {
            return null;
        }
        try {
            return fromYamlAsIs(raw);
        } catch (ConfigException e) {
            throw withoutSecret(e, raw);
        }
    }

    private T fromYamlAsIs(Object raw) {
        return switch (kind) {
            case STRING -> cast(scalarText(raw, "a string"));
            case BOOLEAN ->
                cast(
                        raw instanceof Boolean b
                                ? b
                                : parseBoolean(raw instanceof String s ? s : fail(raw, "true or false")));
            case INTEGER ->
                cast(
                        raw instanceof Integer || raw instanceof Long
                                ? toInt(((Number) raw).longValue())
                                : raw instanceof String s ? parseInt(s) : fail(raw, "an integer"));
            case NUMBER ->
                cast(
                        raw instanceof Number n
                                ? n.doubleValue()
                                : raw instanceof String s ? parseNumber(s) : fail(raw, "a number"));
            case DURATION ->
                cast(raw instanceof String s ? parseDuration(s) : fail(raw, "a duration such as 30s or 5m"));
            case LIST ->
                cast(
                        raw instanceof List<?> l
                                ? listOfStrings(l)
                                : raw instanceof String s ? splitList(s) : fail(raw, "a list of strings"));
            case OBJECT -> cast(raw instanceof Map<?, ?> m ? objectMap(m) : fail(raw, "an object"));
            case OBJECT_LIST -> cast(raw instanceof List<?> l ? listOfObjects(l) : fail(raw, "a list of objects"));
        };
    }

    /** Converts a value given as text by a flag or an environment variable. */
    T fromText(String raw) {
        try {
            return fromTextAsIs(raw);
        } catch (ConfigException e) {
            throw withoutSecret(e, raw);
        }
    }

    private T fromTextAsIs(String raw) {
        return switch (kind) {
            case STRING -> cast(raw);
            case BOOLEAN -> cast(parseBoolean(raw));
            case INTEGER -> cast(parseInt(raw));
            case NUMBER -> cast(parseNumber(raw));
            case DURATION -> cast(parseDuration(raw));
            case LIST -> cast(splitList(raw));
            case OBJECT, OBJECT_LIST -> throw new ConfigException(this, "can only be set in a config file");
        };
    }

    /** Runs the option's checks; returns the first problem or null. */
    String firstProblem(T value) {
        for (Check<T> c : checks) {
            String p = c.problem(value);
            if (p != null) {
                return secret ? hide(p, value) : p;
            }
        }
        return null;
    }

    /** A secret's problem without its value: a parser or a check may quote what it was given. */
    private ConfigException withoutSecret(ConfigException e, Object raw) {
        if (!secret) {
            return e;
        }
        String prefix = "option " + key + ": ";
        String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return new ConfigException(this, hide(problem, raw));
    }

    /** Replaces the value where the problem quotes it; a value too short to replace safely hides the whole problem. */
    private static String hide(String problem, Object value) {
        String text = value == null ? "" : String.valueOf(value).trim();
        if (text.isEmpty() || !problem.contains(text)) {
            return problem;
        }
        return text.length() >= 4 ? problem.replace(text, "(hidden)") : "not valid (the value is secret, not shown)";
    }

    /** The value as a flag or environment variable would write it; durations in Go syntax, lists comma-joined. */
    public String toText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Duration d) {
            return Durations.format(d);
        }
        if (value instanceof List<?> l && kind == Kind.LIST) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        if (value instanceof Double dv && dv == Math.rint(dv)) {
            return String.valueOf(dv.longValue());
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private T cast(Object v) {
        return (T) v;
    }

    private String scalarText(Object raw, String expected) {
        if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
            return String.valueOf(raw);
        }
        return fail(raw, expected);
    }

    private <R> R fail(Object raw, String expected) {
        throw new ConfigException(this, "expected " + expected + ", got " + describe(raw));
    }

    private String describe(Object raw) {
        if (secret) {
            return (raw instanceof Map ? "an " : "a ") + typeName(raw);
        }
        if (raw instanceof String s) {
            return "\"" + s + "\"";
        }
        if (raw instanceof Map || raw instanceof List) {
            return "a" + (raw instanceof Map ? "n object" : " list");
        }
        return typeName(raw) + " " + raw;
    }

    private static String typeName(Object raw) {
        if (raw instanceof String) {
            return "string";
        }
        if (raw instanceof Boolean) {
            return "boolean";
        }
        if (raw instanceof Number) {
            return "number";
        }
        if (raw instanceof Map) {
            return "object";
        }
        if (raw instanceof List) {
            return "list";
        }
        return raw.getClass().getSimpleName();
    }

    private Boolean parseBoolean(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        return fail(s, "true or false");
    }

    private Integer parseInt(String s) {
        try {
            return toInt(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return fail(s, "an integer");
        }
    }

    private Double parseNumber(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return fail(s, "a number");
        }
    }

    private Integer toInt(long v) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new ConfigException(this, "expected an integer, got " + v + " (too large)");
        }
        return (int) v;
    }

    private Duration parseDuration(String s) {
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(this, e.getMessage());
        }
    }

    private List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    private List<String> listOfStrings(List<?> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String || o instanceof Number || o instanceof Boolean)) {
                fail(l, "a list of strings");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    private Map<String, Object> objectMap(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return java.util.Collections.unmodifiableMap(out);
    }

    private List<Map<String, Object>> listOfObjects(List<?> l) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Map<?, ?> m)) {
                return fail(l, "a list of objects");
            }
            out.add(objectMap(m));
        }
        return List.copyOf(out);
    }

    /** A function-based check that is easy to state inline in the catalogue. */
    static <T> Check<T> rule(Function<T, String> f) {
        return f::apply;
    }

    @Override
    public String toString() {
        return key;
    }
}
