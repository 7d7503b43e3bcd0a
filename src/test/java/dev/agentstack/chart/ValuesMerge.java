package dev.agentstack.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Helm's coalescing of a values file over values.yaml: maps merge key by key, anything else is replaced. */
final class ValuesMerge {

    private ValuesMerge() {}

    static JsonNode merge(JsonNode base, JsonNode override) {
        if (!(base instanceof ObjectNode baseObject) || !override.isObject()) {
            return override.deepCopy();
        }
        ObjectNode merged = baseObject.deepCopy();
        override.fields().forEachRemaining(field -> {
            JsonNode current = merged.get(field.getKey());
            merged.set(
                    field.getKey(), current == null ? field.getValue().deepCopy() : merge(current, field.getValue()));
        });
        return merged;
    }
}
