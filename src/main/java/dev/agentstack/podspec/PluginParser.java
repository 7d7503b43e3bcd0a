package dev.agentstack.podspec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstack.config.DecodeException;
import dev.agentstack.config.StrictDecoder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds and decodes the kubernetes plugin in a job's BUILDKITE_PLUGINS (a JSON array of single-key objects). The
 * plugin is recognised as {@code github.com/buildkite-plugins/kubernetes-buildkite-plugin}, with or without a
 * {@code #version}, and as bare {@code kubernetes}; other plugins are left to the agent.
 */
public final class PluginParser {

    public static final String PLUGIN_KEY = "github.com/buildkite-plugins/kubernetes-buildkite-plugin";
    public static final String PROHIBITED =
            "the kubernetes plugin is prohibited by this controller, but was" + " configured on this job";

    private PluginParser() {}

    /** True for every name the kubernetes plugin goes by. */
    public static boolean isKubernetesPlugin(String key) {
        String name = key.contains("#") ? key.substring(0, key.indexOf('#')) : key;
        return name.equals(PLUGIN_KEY) || name.equals("kubernetes");
    }

    /**
     * The job's kubernetes plugin, {@link KubernetesPlugin#NONE} when it has none.
     *
     * @throws BuildFailure for plugins JSON that does not parse, a prohibited or undecodable plugin
     */
    static KubernetesPlugin parse(String pluginsJson, boolean prohibited) {
        ObjectNode body = pluginBody(pluginsJson);
        if (body == null) {
            return KubernetesPlugin.NONE;
        }
        if (prohibited) {
            throw new BuildFailure(PROHIBITED);
        }
        try {
            return decode(body);
        } catch (DecodeException e) {
            throw new BuildFailure("failed parsing Kubernetes plugin: " + e.getMessage());
        }
    }

    /** Decodes a plugin body strictly; problems name their path inside the plugin. */
    public static KubernetesPlugin decode(JsonNode body) {
        if (body == null || body.isNull()) {
            return KubernetesPlugin.NONE;
        }
        if (!body.isObject()) {
            throw new DecodeException(
                    "", "expected the plugin's settings (an object), got " + StrictDecoder.describe(body));
        }
        rejectNullEntries(body, "");
        return StrictDecoder.decode(body, KubernetesPlugin.class, "");
    }

    /**
     * A null in a list (`containers: [null]`) would decode to a null element that every later step trips over; it is
     * refused here, with its path, as Kubernetes would refuse the empty entry Go decodes it to.
     */
    private static void rejectNullEntries(JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String at = path + "[" + i + "]";
                if (node.get(i).isNull()) {
                    throw new DecodeException(at, "expected an entry, got null");
                }
                rejectNullEntries(node.get(i), at);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                rejectNullEntries(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
            }
        }
    }

    /**
     * The kubernetes plugin's settings as one object, or null when the job has no such plugin. A second occurrence
     * is laid over the first, field by field, as the original does.
     */
    static ObjectNode pluginBody(String pluginsJson) {
        if (pluginsJson == null || pluginsJson.isBlank()) {
            return null;
        }
        JsonNode plugins;
        try {
            plugins = StrictDecoder.MAPPER.readTree(pluginsJson);
        } catch (JsonProcessingException e) {
            // Jackson's message may quote the offending token, which could be a secret: give the position only
            throw new BuildFailure("failed parsing plugins: not valid JSON"
                    + (e.getLocation() == null
                            ? ""
                            : " at line " + e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr()));
        }
        if (!plugins.isArray()) {
            throw new BuildFailure(
                    "failed parsing plugins: expected a list of plugins, got " + StrictDecoder.describe(plugins));
        }
        ObjectNode merged = null;
        for (JsonNode plugin : plugins) {
            if (!plugin.isObject() || plugin.size() != 1) {
                // a plugin's settings may hold secrets: name only the shape, never the values
                throw new BuildFailure("found invalid plugin: " + shape(plugin));
            }
            Map.Entry<String, JsonNode> entry = plugin.fields().next();
            if (!isKubernetesPlugin(entry.getKey())) {
                continue;
            }
            JsonNode body = entry.getValue();
            if (body.isNull()) {
                body = StrictDecoder.MAPPER.createObjectNode();
            }
            if (!body.isObject()) {
                throw new BuildFailure("failed parsing Kubernetes plugin: expected the plugin's settings"
                        + " (an object), got " + StrictDecoder.describe(body));
            }
            if (merged == null) {
                merged = StrictDecoder.MAPPER.createObjectNode();
            }
            merged.setAll((ObjectNode) body);
        }
        return merged;
    }

    private static String shape(JsonNode plugin) {
        if (!plugin.isObject()) {
            return StrictDecoder.describe(plugin);
        }
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = plugin.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return "an object with " + keys.size() + " keys " + keys + " (a plugin is an object with exactly one key)";
    }
}
