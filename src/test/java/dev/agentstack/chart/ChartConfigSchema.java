package dev.agentstack.chart;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstack.config.Durations;
import dev.agentstack.config.IgnoredOption;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code config} block of the chart's values.schema.json, generated from {@link Options#ALL}, so the schema accepts
 * exactly the keys the controller reads, with their types, defaults and descriptions (the original chart's schema had
 * keys the controller did not know and no guard against unknown ones), plus the original's keys it accepts and
 * ignores. {@link ValuesSchemaTest} keeps the checked-in
 * file in step with it.
 */
final class ChartConfigSchema {

    /**
     * Options the chart sets itself from the objects it creates, so a value could only contradict them. The values
     * cannot set them (they are not in the schema); the reason is what the schema's description says.
     */
    static final Map<String, String> SET_BY_CHART = new TreeMap<>(Map.of(
            "namespace", "jobsNamespace, else the release namespace, where the Role grants access",
            "agent-token-secret", "agentStackSecret, or the chart's own Secret",
            "buildkite-token-secret", "graphqlTokenExistingSecret, or the chart's own GraphQL-token Secret",
            "job-service-account", "jobServiceAccount, when the chart creates or names one",
            "leader-election-namespace", "the release namespace, where the leader-election Role grants access",
            "leader-election-pod-selector", "the chart's selector labels",
            "routes-dir", "the folder where the routes: ConfigMap is mounted"));

    /** Options whose default the chart changes, and to what. */
    static final Map<String, String> CHART_DEFAULTS = new TreeMap<>(Map.of(
            "id", "the release's full name",
            "leader-election", "on when replicas is more than 1"));

    /** Options whose value is one of a few words: the schema lists them, as the options' checks do. */
    static final Map<Option<?>, List<String>> CHOICES = Map.of(
            Options.LOG_FORMAT, Options.LOG_FORMATS,
            Options.LOG_LEVEL, Options.LOG_LEVELS);

    /** What {@link Durations#parse} accepts (less the sign): Go durations such as 30s, 1h30m, 250ms, or 0. */
    static final String DURATION_PATTERN = "^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+)$";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChartConfigSchema() {}

    static ObjectNode generate() {
        ObjectNode config = JSON.objectNode();
        config.put("type", "object");
        config.put(
                "description",
                "The controller's options (docs/configuration.md, Options). "
                        + "Set by the chart, not here: "
                        + String.join(
                                "; ",
                                SET_BY_CHART.entrySet().stream()
                                        .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                        .toList())
                        + "; the GraphQL token is graphqlToken. Generated from dev.agentstack.config.Options: "
                        + ValuesSchemaTest.REGENERATE);
        config.put("additionalProperties", false);
        // Nothing is required here: org is needed only with the GraphQL API, which the controller checks at start.
        ObjectNode properties = config.putObject("properties");
        for (Option<?> option : Options.ALL) {
            if (option.isSecret() || SET_BY_CHART.containsKey(option.key())) {
                continue;
            }
            ObjectNode property = properties.putObject(option.key());
            typeOf(option, property);
            String chartDefault = CHART_DEFAULTS.get(option.key());
            property.put(
                    "description",
                    option.description() + (chartDefault != null ? "; the chart's default: " + chartDefault : ""));
            Object defaultValue = option.defaultValue();
            if (defaultValue != null && chartDefault == null) {
                property.set("default", defaultOf(defaultValue));
            }
        }
        // agent-stack-k8s' keys with no counterpart: a values file that has them still installs, and the controller
        // says at start that it ignores them.
        for (IgnoredOption ignored : Options.IGNORED) {
            properties
                    .putObject(ignored.key())
                    .put("deprecated", true)
                    .put("description", "agent-stack-k8s' option, accepted and ignored: " + ignored.reason());
        }
        return config;
    }

    private static void typeOf(Option<?> option, ObjectNode property) {
        switch (option.kind()) {
            case STRING -> {
                property.put("type", "string");
                if (CHOICES.containsKey(option)) {
                    CHOICES.get(option).forEach(property.putArray("enum")::add);
                }
            }
            case BOOLEAN -> property.put("type", "boolean");
            case INTEGER -> property.put("type", "integer");
            case NUMBER -> property.put("type", "number");
            case DURATION -> property.put("type", "string").put("pattern", DURATION_PATTERN);
            // The controller also takes one comma-separated string, as --set config.tags=queue=kubernetes gives.
            case LIST -> {
                property.putArray("type").add("array").add("string");
                property.putObject("items").put("type", "string");
            }
            case OBJECT -> property.put("type", "object");
            case OBJECT_LIST -> {
                property.put("type", "array");
                ObjectNode items = property.putObject("items").put("type", "object");
                if (option == Options.QUEUES) {
                    // The fields of dev.agentstack.config.QueueConfig; tags are required, nothing else is allowed.
                    items.putArray("required").add("tags");
                    items.put("additionalProperties", false);
                    ObjectNode fields = items.putObject("properties");
                    fields.putObject("tags")
                            .put("type", "array")
                            .put("minItems", 1)
                            .putObject("items")
                            .put("type", "string");
                    fields.putObject("max-in-flight").put("type", "integer").put("minimum", 0);
                    fields.putObject("pod-spec-patch").put("type", "object");
                    // The pod policy options a queue may set (QueueConfig decodes lists only as lists).
                    for (Option<?> policy : Options.PER_QUEUE_POLICY) {
                        ObjectNode field = fields.putObject(policy.key());
                        typeOf(policy, field);
                        if (policy.kind() == Option.Kind.LIST) {
                            field.put("type", "array");
                        }
                    }
                }
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode defaultOf(Object value) {
        if (value instanceof Duration d) {
            return JSON.textNode(Durations.format(d));
        }
        return new ObjectMapper().valueToTree(value instanceof List<?> l ? List.copyOf(l) : value);
    }

    /** Two-space indentation and "key": value, as the file was first written. */
    static ObjectWriter writer() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withArrayEmptySeparator("")
                        .withObjectEmptySeparator(""));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return new ObjectMapper().writer(printer);
    }
}
