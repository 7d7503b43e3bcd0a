package dev.agentstack.podspec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstack.config.StrictDecoder;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.util.Map;

/**
 * A strategic merge patch for a PodSpec, kept as JSON so that its directives ({@code $patch: delete}, ...) and its
 * nulls (which delete a field) survive. Decoding checks it is a PodSpec apart from the directives.
 */
@JsonDeserialize(using = PodSpecPatch.Reader.class)
public record PodSpecPatch(ObjectNode json) {

    public PodSpecPatch {
        json = json.deepCopy();
    }

    /** The controller's pod-spec-patch option (already validated at start-up), or null. */
    static PodSpecPatch of(Map<String, Object> option) {
        return option == null ? null : new PodSpecPatch(StrictDecoder.MAPPER.valueToTree(option));
    }

    static final class Reader extends JsonDeserializer<PodSpecPatch> {
        @Override
        public PodSpecPatch deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            if (!(tree instanceof ObjectNode object)) {
                return (PodSpecPatch) ctxt.handleUnexpectedToken(
                        PodSpecPatch.class, p.currentToken(), p, "expected a pod spec patch (an object)");
            }
            // the same strict decoding as podSpec, so a typo in a patch is reported, not silently merged
            ctxt.readTreeAsValue(StrictDecoder.withoutDirectives(object), PodSpec.class);
            return new PodSpecPatch(object);
        }
    }
}
