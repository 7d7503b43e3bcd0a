package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads GraphQL answers: a response with an {@code errors} array is a failure, even when partial data came with it. */
public final class GraphqlResponses {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERRORS_SHOWN = 3;

    private GraphqlResponses() {}

    /** The {@code data} object of a successful answer. */
    public static JsonNode data(String body) {
        JsonNode root;
        try {
            root = body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new BuildkiteApiException("malformed_response", "GraphQL answer is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BuildkiteApiException("malformed_response", "GraphQL answer is not a JSON object");
        }
        JsonNode errors = root.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            List<String> messages = new ArrayList<>();
            for (JsonNode error : errors) {
                if (messages.size() == MAX_ERRORS_SHOWN) {
                    messages.add("and " + (errors.size() - MAX_ERRORS_SHOWN) + " more");
                    break;
                }
                messages.add(error.path("message").asText("(no message)"));
            }
            throw new BuildkiteApiException("graphql_errors", "GraphQL errors: " + String.join("; ", messages));
        }
        JsonNode data = root.path("data");
        if (!data.isObject()) {
            throw new BuildkiteApiException("malformed_response", "GraphQL answer has no data");
        }
        return data;
    }
}
