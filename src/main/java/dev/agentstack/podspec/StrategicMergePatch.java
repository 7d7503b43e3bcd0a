package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' strategic merge patch (apimachinery {@code strategicpatch}), for the fields of a PodSpec. Maps merge key
 * by key and a null deletes; lists named in the {@link Schema} merge element by element on their merge key, every
 * other list is replaced whole. Directives: {@code $patch: replace|delete} on a map or a list element,
 * {@code $retainKeys}, {@code $setElementOrder/<list>} and {@code $deleteFromPrimitiveList/<list>}.
 *
 * <p>Order of a merged list, as the API server computes it: items the patch names come in the patch's order, placed
 * among the original-only items by their original positions; an item that is new goes before the remaining
 * original-only items.
 */
public final class StrategicMergePatch {

    /**
     * The patch metadata of an object: its merge-keyed list fields, and the schema of their elements or nested objects.
     */
    public record Schema(Map<String, Field> fields) {
        static final Schema ANY = new Schema(Map.of());

        Field field(String name) {
            return fields.getOrDefault(name, Field.ATOMIC);
        }
    }

    /** A field's strategy: a list merged on {@code mergeKey} (null: replaced whole), and its element/object schema. */
    public record Field(String mergeKey, Schema schema) {
        static final Field ATOMIC = new Field(null, Schema.ANY);

        static Field mergedOn(String key, Schema element) {
            return new Field(key, element);
        }

        static Field object(Schema schema) {
            return new Field(null, schema);
        }
    }

    /** Container, init container and ephemeral container (k8s.io/api core/v1 patch tags). */
    public static final Schema CONTAINER = new Schema(Map.of(
            "env", Field.mergedOn("name", Schema.ANY),
            "volumeMounts", Field.mergedOn("mountPath", Schema.ANY),
            "volumeDevices", Field.mergedOn("devicePath", Schema.ANY),
            "ports", Field.mergedOn("containerPort", Schema.ANY)));

    /** PodSpec (k8s.io/api core/v1 patch tags). */
    public static final Schema POD_SPEC = new Schema(Map.of(
            "containers", Field.mergedOn("name", CONTAINER),
            "initContainers", Field.mergedOn("name", CONTAINER),
            "ephemeralContainers", Field.mergedOn("name", CONTAINER),
            "volumes", Field.mergedOn("name", Schema.ANY),
            "imagePullSecrets", Field.mergedOn("name", Schema.ANY),
            "hostAliases", Field.mergedOn("ip", Schema.ANY),
            "topologySpreadConstraints", Field.mergedOn("topologyKey", Schema.ANY),
            "schedulingGates", Field.mergedOn("name", Schema.ANY),
            "resourceClaims", Field.mergedOn("name", Schema.ANY)));

    private static final String DIRECTIVE = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    /** A patch that cannot be applied; the message says why, as the API server would. */
    public static final class PatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PatchException(String message) {
            super(message, null, false, false);
        }
    }

    private StrategicMergePatch() {}

    /** The original with the patch applied; neither argument is changed. */
    public static ObjectNode apply(ObjectNode original, ObjectNode patch, Schema schema) {
        return mergeMap(original.deepCopy(), patch, schema);
    }

    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, Schema schema) {
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            String d = directive.asText();
            if (d.equals("replace")) {
                return mergeMap(JsonNodeFactory.instance.objectNode(), withoutKey(patch, DIRECTIVE), schema);
            }
            if (d.equals("delete")) {
                return JsonNodeFactory.instance.objectNode();
            }
            throw new PatchException("unknown patch type: " + d + " in map");
        }
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain != null) {
            if (!retain.isArray()) {
                throw new PatchException("$retainKeys must be a list of field names");
            }
            List<String> keep = new ArrayList<>();
            retain.forEach(k -> keep.add(k.asText()));
            original.retain(keep);
        }
        Map<String, JsonNode> orders = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals(RETAIN_KEYS)) {
                continue;
            }
            if (key.startsWith(SET_ELEMENT_ORDER)) {
                orders.put(key.substring(SET_ELEMENT_ORDER.length()), value);
                continue;
            }
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                deleteFromPrimitiveList(original, key.substring(DELETE_FROM_PRIMITIVE_LIST.length()), value);
                continue;
            }
            if (key.startsWith("$")) {
                throw new PatchException("unknown patch directive " + key);
            }
            Field field = schema.field(key);
            JsonNode current = original.get(key);
            if (value.isNull()) {
                original.remove(key);
            } else if (value.isObject()) {
                ObjectNode base = current != null && current.isObject()
                        ? (ObjectNode) current
                        : JsonNodeFactory.instance.objectNode();
                original.set(key, mergeMap(base, (ObjectNode) value, field.schema()));
            } else if (value.isArray() && field.mergeKey() != null) {
                ArrayNode base = current != null && current.isArray()
                        ? (ArrayNode) current
                        : JsonNodeFactory.instance.arrayNode();
                original.set(key, mergeList(base, (ArrayNode) value, field, orders.get(key)));
            } else if (value.isArray()) {
                original.set(key, withoutNulls(value));
            } else {
                original.set(key, value);
            }
        }
        // an order given without a patch for its list reorders the list as it stands
        orders.forEach((key, order) -> {
            Field field = schema.field(key);
            if (!patch.has(key) && field.mergeKey() != null && original.get(key) instanceof ArrayNode list) {
                original.set(key, mergeList(list, JsonNodeFactory.instance.arrayNode(), field, order));
            }
        });
        return original;
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, Field field, JsonNode order) {
        String key = field.mergeKey();
        boolean scalars = !patch.isEmpty() && !patch.get(0).isObject()
                || !original.isEmpty() && !original.get(0).isObject();
        if (scalars) {
            ArrayNode merged = original.deepCopy();
            patch.forEach(v -> {
                if (!contains(merged, v)) {
                    merged.add(v);
                }
            });
            return merged;
        }
        List<JsonNode> server = new ArrayList<>();
        original.forEach(server::add);
        List<ObjectNode> items = new ArrayList<>();
        boolean replace = false;
        for (int i = 0; i < patch.size(); i++) {
            JsonNode v = patch.get(i);
            if (!v.isObject()) {
                throw new PatchException("a list merged on " + key + " cannot mix objects and other values");
            }
            JsonNode d = v.get(DIRECTIVE);
            if (d == null) {
                items.add((ObjectNode) v);
                continue;
            }
            switch (d.asText()) {
                case "delete" -> {
                    JsonNode k = v.get(key);
                    if (k == null) {
                        throw noMergeKey(i, key);
                    }
                    server.removeIf(s -> k.equals(s.get(key)));
                }
                case "replace" -> replace = true;
                case "merge" -> throw new PatchException("merging lists cannot yet be specified in the patch");
                default -> throw new PatchException("unknown patch type: " + d.asText() + " in list");
            }
        }
        if (replace) {
            ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
            items.forEach(item -> replaced.add(mergeMap(JsonNodeFactory.instance.objectNode(), item, field.schema())));
            return replaced;
        }
        List<JsonNode> merged = new ArrayList<>(server);
        for (int i = 0; i < items.size(); i++) {
            ObjectNode item = items.get(i);
            JsonNode k = item.get(key);
            if (k == null) {
                throw noMergeKey(i, key);
            }
            int at = indexOf(merged, key, k);
            if (at >= 0) {
                merged.set(at, mergeMap(((ObjectNode) merged.get(at)).deepCopy(), item, field.schema()));
            } else {
                merged.add(mergeMap(JsonNodeFactory.instance.objectNode(), item, field.schema()));
            }
        }
        List<JsonNode> patchOrder = new ArrayList<>();
        if (order != null && order.isArray()) {
            order.forEach(patchOrder::add);
        } else {
            patchOrder.addAll(items);
        }
        List<JsonNode> named = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode m : merged) {
            (indexOf(patchOrder, key, m.get(key)) >= 0 ? named : serverOnly).add(m);
        }
        named.sort(
                (a, b) -> Integer.compare(indexOf(patchOrder, key, a.get(key)), indexOf(patchOrder, key, b.get(key))));
        return mergeSorted(serverOnly, named, server, key);
    }

    /**
     * apimachinery's mergeSortedSlice: walk both lists, taking the server-only item while it comes first on the server.
     */
    private static ArrayNode mergeSorted(
            List<JsonNode> serverOnly, List<JsonNode> named, List<JsonNode> server, String key) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < named.size()) {
            if (j >= named.size()) {
                out.add(serverOnly.get(i++));
            } else if (i >= serverOnly.size()) {
                out.add(named.get(j++));
            } else {
                int left = indexOf(server, key, serverOnly.get(i).get(key));
                int right = indexOf(server, key, named.get(j).get(key));
                if (left >= 0 && right >= 0 && left < right) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(named.get(j++));
                }
            }
        }
        return out;
    }

    private static int indexOf(List<JsonNode> list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (value != null && value.equals(list.get(i).get(key))) {
                return i;
            }
        }
        return -1;
    }

    private static void deleteFromPrimitiveList(ObjectNode original, String key, JsonNode values) {
        if (original.get(key) instanceof ArrayNode list && values.isArray()) {
            ArrayNode kept = JsonNodeFactory.instance.arrayNode();
            list.forEach(v -> {
                if (!contains((ArrayNode) values, v)) {
                    kept.add(v);
                }
            });
            original.set(key, kept);
        }
    }

    private static boolean contains(ArrayNode list, JsonNode v) {
        for (JsonNode n : list) {
            if (n.equals(v)) {
                return true;
            }
        }
        return false;
    }

    private static PatchException noMergeKey(int index, String key) {
        return new PatchException("list item " + index + " does not contain declared merge key: " + key);
    }

    private static ObjectNode withoutKey(ObjectNode node, String key) {
        ObjectNode copy = node.deepCopy();
        copy.remove(key);
        return copy;
    }

    /** A value the original lacks is taken as it is, less the nulls inside it (which have nothing to delete). */
    private static JsonNode withoutNulls(JsonNode value) {
        if (value.isObject()) {
            return mergeMap(JsonNodeFactory.instance.objectNode(), (ObjectNode) value, Schema.ANY);
        }
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            value.forEach(v -> {
                if (!v.isNull()) {
                    out.add(withoutNulls(v));
                }
            });
            return out;
        }
        return value;
    }
}
