package dev.agentstack.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decodes user-written JSON/YAML (the kubernetes plugin, the controller's object options) strictly: an unknown field
 * or a value of the wrong type is an error that names its path, where the original controller's Go decoder ignored
 * unknown fields. Kubernetes types decode into fabric8's model classes, whose catch-all "additional properties" are
 * switched off here so a misspelt field is reported instead of carried along.
 */
public final class StrictDecoder {

    /** The mapper for reading user documents; also fine for writing them back (plain JSON). */
    public static final ObjectMapper MAPPER = strictMapper();

    private StrictDecoder() {}

    /**
     * Decodes {@code value} (a Jackson tree, or maps and lists as a YAML parser returns them) into {@code type}.
     *
     * @param path where the value sits, prefixed to error paths (e.g. {@code podSpec}); empty for the root
     * @throws DecodeException naming the path and the problem
     */
    public static <T> T decode(Object value, Class<T> type, String path) {
        JsonNode tree = value instanceof JsonNode n ? n : MAPPER.valueToTree(value);
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (DatabindException e) {
            throw translate(e, tree, path);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DecodeException(path, e.getMessage());
        }
    }

    /** The problem with decoding {@code value} as {@code type}, as one line ("path: problem"), or null. */
    public static String problem(Object value, Class<?> type) {
        try {
            decode(value, type, "");
            return null;
        } catch (DecodeException e) {
            return e.getMessage();
        }
    }

    private static DecodeException translate(DatabindException e, JsonNode root, String prefix) {
        List<JsonMappingException.Reference> refs = e instanceof JsonMappingException m ? m.getPath() : List.of();
        String path = path(prefix, refs);
        if (e instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            return new DecodeException(
                    path,
                    "unknown field"
                            + (known != null && !known.isEmpty() && known.size() <= 15
                                    ? " (known fields: "
                                            + String.join(
                                                    ", ",
                                                    known.stream()
                                                            .map(String::valueOf)
                                                            .sorted()
                                                            .toList()) + ")"
                                    : ""));
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return new DecodeException(path, v.getCause().getMessage());
        }
        if (e instanceof InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            return new DecodeException(path, "invalid value " + describe(at(root, refs)));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            JsonNode actual = at(root, refs);
            if (actual != null && !actual.isMissingNode()) {
                return new DecodeException(
                        path, "expected " + expected(m.getTargetType()) + ", got " + describe(actual));
            }
        }
        String message = e instanceof JsonMappingException m ? m.getOriginalMessage() : e.getMessage();
        return new DecodeException(path, message);
    }

    /** A path as users write it: {@code podSpec.containers[0].env[0].value}. */
    static String path(String prefix, List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder(prefix);
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode node = root;
        for (JsonMappingException.Reference r : refs) {
            if (node == null) {
                return null;
            }
            node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
        }
        return node;
    }

    private static String expected(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Quantity.class) {
            return "a quantity such as 500m or 1Gi";
        }
        if (type == IntOrString.class) {
            return "an integer or a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** The kind of a JSON value, in words. */
    public static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "a number";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** A deep copy of a patch without its strategic-merge directives ({@code $patch}, {@code $retainKeys}, ...). */
    public static JsonNode withoutDirectives(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode copy = MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().startsWith("$")) {
                    copy.set(e.getKey(), withoutDirectives(e.getValue()));
                }
            }
            return copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = MAPPER.createArrayNode();
            a.forEach(item -> copy.add(withoutDirectives(item)));
            return copy;
        }
        return node;
    }

    private static ObjectMapper strictMapper() {
        SimpleModule noCatchAll = new SimpleModule("strict-kubernetes-model");
        noCatchAll.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(
                    DeserializationConfig config, BeanDescription description, BeanDeserializerBuilder builder) {
                // fabric8 classes keep unknown fields in additionalProperties; we want them reported instead
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(noCatchAll)
                .build();
        // Go's decoder refuses a number where a string belongs (and the reverse); so do we.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        return mapper;
    }
}
