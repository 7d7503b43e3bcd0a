package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstack.config.StrictDecoder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the JSON schema of a pipeline's kubernetes plugin ({@code src/main/resources/schema/pipeline.schema.json})
 * from the very Java types the builder decodes into: {@link KubernetesPlugin}, our parameter records and fabric8's
 * Kubernetes model. It is offline, strict ({@code additionalProperties: false}) and cannot drift from the decoder;
 * {@code PluginSchemaTest} fails when the checked-in file is stale and rewrites it with
 * {@code -Dplugin-schema.update=true}.
 */
public final class PluginSchema {

    public static final String RESOURCE = "schema/pipeline.schema.json";
    public static final String PLUGIN_DEF = "kubernetesPlugin";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Strategic-merge directives may appear in patches; the decoder rejects them elsewhere. */
    private static final String DIRECTIVES = "^\\$(patch|retainKeys|setElementOrder/.+|deleteFromPrimitiveList/.+)$";

    private static final String PLUGIN_NAMES =
            "^(kubernetes" + "|github\\.com/buildkite-plugins/kubernetes-buildkite-plugin)(#.*)?$";

    private final ObjectMapper mapper = StrictDecoder.MAPPER;
    private final Map<String, ObjectNode> defs = new TreeMap<>();

    private PluginSchema() {}

    /** The schema as the checked-in file holds it (two-space indent, trailing newline). */
    public static String generate() {
        ObjectNode schema = new PluginSchema().root();
        try {
            return new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(schema)
                            .replace("\r\n", "\n")
                    + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode root() {
        ObjectNode plugin = objectDef(mapper.constructType(KubernetesPlugin.class));
        ObjectNode root = JSON.objectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("title", "Buildkite pipeline: the kubernetes plugin of agent-stack-camel");
        root.put(
                "description",
                "Validates the kubernetes plugin of every step (other step fields are not checked). "
                        + "Generated from the controller's own types; do not edit.");
        root.put("type", "object");
        root.set("properties", JSON.objectNode().set("steps", steps()));
        ObjectNode allDefs = JSON.objectNode();
        allDefs.set("step", step());
        allDefs.set(PLUGIN_DEF, plugin);
        defs.forEach(allDefs::set);
        root.set("$defs", allDefs);
        return root;
    }

    private ObjectNode steps() {
        return JSON.objectNode().put("type", "array").set("items", ref("step"));
    }

    private ObjectNode step() {
        ObjectNode byName = JSON.objectNode().put("type", "object");
        byName.set("patternProperties", JSON.objectNode().set(PLUGIN_NAMES, ref(PLUGIN_DEF)));
        ArrayNode pluginsForms = JSON.arrayNode();
        pluginsForms.add(JSON.objectNode()
                .put("type", "array")
                .set(
                        "items",
                        JSON.objectNode()
                                .set(
                                        "anyOf",
                                        JSON.arrayNode()
                                                .add(JSON.objectNode().put("type", "string"))
                                                .add(byName.deepCopy()))));
        pluginsForms.add(byName);
        ObjectNode properties = JSON.objectNode();
        properties.set("plugins", JSON.objectNode().set("anyOf", pluginsForms));
        properties.set("steps", steps());
        return JSON.objectNode()
                .set(
                        "anyOf",
                        JSON.arrayNode()
                                .add(JSON.objectNode().put("type", "string"))
                                .add(JSON.objectNode().put("type", "object").set("properties", properties)));
    }

    private ObjectNode schemaOf(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (raw == String.class) {
            return JSON.objectNode().put("type", "string");
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            return JSON.objectNode().put("type", "integer");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return JSON.objectNode().put("type", "boolean");
        }
        if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            return JSON.objectNode().put("type", "number");
        }
        if (raw == Quantity.class) {
            return JSON.objectNode().set("type", JSON.arrayNode().add("string").add("number"));
        }
        if (raw == IntOrString.class) {
            return JSON.objectNode().set("type", JSON.arrayNode().add("string").add("integer"));
        }
        if (raw == Interposer.class) {
            ArrayNode values = JSON.arrayNode().add("");
            for (Interposer i : Interposer.values()) {
                values.add(i.value());
            }
            return JSON.objectNode().set("enum", values);
        }
        if (raw == PodSpecPatch.class) {
            objectDef(mapper.constructType(PodSpec.class));
            return ref(PodSpec.class.getSimpleName());
        }
        if (Map.class.isAssignableFrom(raw)) {
            return JSON.objectNode().put("type", "object").set("additionalProperties", schemaOf(type.getContentType()));
        }
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            return JSON.objectNode().put("type", "array").set("items", schemaOf(type.getContentType()));
        }
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
            return JSON.objectNode();
        }
        objectDef(type);
        return ref(raw.getSimpleName());
    }

    /** The definition of an object type, added to $defs once (types refer to each other, and to themselves). */
    private ObjectNode objectDef(JavaType type) {
        String name = type.getRawClass().getSimpleName();
        if (defs.containsKey(name)) {
            return defs.get(name);
        }
        ObjectNode def = JSON.objectNode().put("type", "object");
        if (type.getRawClass() != KubernetesPlugin.class) {
            defs.put(name, def);
        }
        BeanDescription description = mapper.getDeserializationConfig().introspect(type);
        ObjectNode properties = JSON.objectNode();
        Map<String, JavaType> sorted = new TreeMap<>();
        for (BeanPropertyDefinition p : description.findProperties()) {
            if (p.couldDeserialize()) {
                sorted.put(p.getName(), p.getPrimaryType());
            }
        }
        sorted.forEach((prop, propType) -> properties.set(prop, schemaOf(propType)));
        def.set("properties", properties);
        if (type.getRawClass().getName().startsWith("io.fabric8.")) {
            def.set("patternProperties", JSON.objectNode().set(DIRECTIVES, JSON.objectNode()));
        }
        def.put("additionalProperties", false);
        return def;
    }

    private static ObjectNode ref(String def) {
        return JSON.objectNode().put("$ref", "#/$defs/" + def);
    }
}
