package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * PodSpecs to and from JSON inside the builder. Lenient on purpose: a PodTemplate from a newer cluster may carry
 * fields this fabric8 version does not know, which must travel through unchanged (user input is checked strictly
 * where it enters, in the plugin decoder).
 */
final class PodSpecJson {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private PodSpecJson() {}

    static ObjectNode tree(PodSpec spec) {
        return MAPPER.valueToTree(spec);
    }

    static PodSpec spec(JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, PodSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new BuildFailure("the pod spec cannot be read: " + e.getMessage());
        }
    }

    private static final PodSpec EMPTY = new PodSpec();

    /** A deep copy, so the builder never changes the plugin's, the template's or the config's objects. */
    static PodSpec copy(PodSpec spec) {
        return EMPTY.equals(spec) ? new PodSpec() : spec(tree(spec)); // most steps have no podSpec
    }
}
