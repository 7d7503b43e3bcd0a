package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Buildkite's documented actual complexity of an answer: a point per object (object, interface or union) it returns,
 * none for scalars and enums, and a connection's {@code edges} a point as a whole, its nodes a point each
 * (docs/apis/graphql/graphql-resource-limits). The root query type is free. Computed from the answer itself, so what
 * the controller spends is known even while other clients spend the same organization's points.
 */
public final class GraphqlCost {

    private GraphqlCost() {}

    /** The points an answer's {@code data} object cost; 0 for a missing or null {@code data}. */
    public static int of(JsonNode data) {
        return data == null || !data.isObject() ? 0 : children(data);
    }

    private static int value(String field, JsonNode node) {
        if (node.isObject()) {
            return 1 + children(node);
        }
        if (!node.isArray()) {
            return 0;
        }
        int points = 0;
        boolean edges = field.equals("edges");
        for (JsonNode element : node) {
            // An edge is free: the edges list costs one point, each node in it one more.
            points += edges && element.isObject() ? children(element) : value(field, element);
        }
        return edges ? 1 + points : points;
    }

    private static int children(JsonNode object) {
        int points = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            points += value(field.getKey(), field.getValue());
        }
        return points;
    }
}
