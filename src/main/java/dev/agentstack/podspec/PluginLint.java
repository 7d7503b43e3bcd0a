package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.DecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks of {@code lint} for one job: its kubernetes plugin against the shipped JSON schema (every problem at
 * once), then the builder's own decoding and checks, so a step that lints clean is one the controller can run.
 */
public final class PluginLint {

    private final JsonSchema schema;

    public PluginLint() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ROOT)
                .build();
        this.schema = factory.getSchema(
                SchemaLocation.of("classpath:" + PluginSchema.RESOURCE + "#/$defs/" + PluginSchema.PLUGIN_DEF), config);
    }

    /** The job's problems as {@code path: problem} (or a bare reason when it has no path); empty when valid. */
    public List<String> problems(BuildkiteJob job, ControllerConfig config) {
        ObjectNode body;
        try {
            Map<String, String> env = JobEnv.parse(job.env());
            body = PluginParser.pluginBody(env.get("BUILDKITE_PLUGINS"));
        } catch (BuildFailure e) {
            return List.of(e.getMessage());
        }
        if (body != null) {
            List<String> problems = new ArrayList<>();
            for (ValidationMessage m : schema.validate(body)) {
                problems.add(path(m.getInstanceLocation().toString()) + ": " + m.getError());
            }
            if (!problems.isEmpty()) {
                return problems.stream().sorted().toList();
            }
            try {
                PluginParser.decode(body);
            } catch (DecodeException e) {
                return List.of(e.getMessage());
            }
        }
        // a PodTemplate lives in the cluster, which lint does not reach: check the rest with an empty template
        BuildResult result = PodSpecBuilder.build(job, config, name -> new io.fabric8.kubernetes.api.model.PodSpec());
        return result.valid() ? List.of() : List.of(result.reason());
    }

    /** {@code /podSpec/containers/0/image} as {@code podSpec.containers[0].image}, like the decoder's paths. */
    static String path(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String p = part.replace("~1", "/").replace("~0", "~");
            if (p.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(p).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(p);
            }
        }
        return sb.isEmpty() ? "(plugin)" : sb.toString();
    }
}
