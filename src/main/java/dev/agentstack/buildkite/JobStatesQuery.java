package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.util.json.JsonObject;

/**
 * Many jobs' states in one GraphQL request, with one alias per job ({@code j0: job(uuid: $u0) {...}}): how the cancel
 * checker asks about every waiting job at once instead of one request each.
 */
public final class JobStatesQuery {

    /** A job's GraphQL node id and state, or null fields when Buildkite does not know the uuid. */
    public record JobState(String uuid, String id, String state) {
        public boolean cancelled() {
            return "CANCELED".equals(state) || "CANCELING".equals(state);
        }

        /** Variables for the cancel mutation. */
        public JsonObject cancelVariables() {
            JsonObject v = new JsonObject();
            v.put("id", id);
            return v;
        }

        /** States in which jobTypeCommandCancel has nothing to do. */
        public boolean cancellable() {
            return id != null
                    && state != null
                    && !List.of("CANCELED", "CANCELING", "FINISHED", "SKIPPED", "EXPIRED", "TIMED_OUT", "BROKEN")
                            .contains(state);
        }
    }

    private JobStatesQuery() {}

    /** The query text for these uuids (variables $u0, $u1, ...). */
    public static String query(List<String> uuids) {
        StringBuilder vars = new StringBuilder();
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < uuids.size(); i++) {
            vars.append(i == 0 ? "" : ", ").append("$u").append(i).append(": ID!");
            fields.append("  j")
                    .append(i)
                    .append(": job(uuid: $u")
                    .append(i)
                    .append(") { ... on JobTypeCommand { id uuid state } }\n");
        }
        return "query JobStates(" + vars + ") {\n" + fields + "}\n";
    }

    public static JsonObject variables(List<String> uuids) {
        JsonObject v = new JsonObject();
        for (int i = 0; i < uuids.size(); i++) {
            v.put("u" + i, uuids.get(i));
        }
        return v;
    }

    /** The states in an answer to {@link #query}, by uuid; a uuid Buildkite does not know maps to a null state. */
    public static Map<String, JobState> states(List<String> uuids, String body) {
        JsonNode data = GraphqlResponses.data(body);
        Map<String, JobState> out = new LinkedHashMap<>();
        for (int i = 0; i < uuids.size(); i++) {
            JsonNode job = data.path("j" + i);
            out.put(
                    uuids.get(i),
                    new JobState(
                            uuids.get(i),
                            job.path("id").asText(null),
                            job.path("state").asText(null)));
        }
        return out;
    }

    /** Variables for the single-job query (graphql/job-state.graphql). */
    public static JsonObject uuidVariables(String uuid) {
        JsonObject v = new JsonObject();
        v.put("uuid", uuid);
        return v;
    }

    /** One job's state from the single-job query (graphql/job-state.graphql). */
    public static JobState state(String uuid, String body) {
        JsonNode job = GraphqlResponses.data(body).path("job");
        return new JobState(uuid, job.path("id").asText(null), job.path("state").asText(null));
    }

    /** The cancelled ones among an answer's jobs. */
    public static List<String> cancelled(List<String> uuids, String body) {
        List<String> out = new ArrayList<>();
        states(uuids, body).forEach((uuid, s) -> {
            if (s.cancelled()) {
                out.add(uuid);
            }
        });
        return out;
    }
}
