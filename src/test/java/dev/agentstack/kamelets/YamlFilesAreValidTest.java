package dev.agentstack.kamelets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.junit.jupiter.api.Test;

/**
 * Every YAML route, example route and Kamelet against Camel's own YAML DSL JSON schema (shipped in camel-yaml-dsl),
 * and every Kamelet against the Kamelet resource shape: what Camel JBang, Kaoto and the Camel K operator expect.
 */
class YamlFilesAreValidTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonSchema CAMEL_YAML_DSL = camelYamlDslSchema();

    private static JsonSchema camelYamlDslSchema() {
        try (InputStream in =
                YamlRoutesBuilderLoader.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> files(String dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void routesAndExampleRoutesMatchTheCamelYamlDslSchema() throws IOException {
        List<Path> all = new ArrayList<>(files("routes", ".camel.yaml"));
        List<Path> examples = files("examples/routes", ".yaml");
        assertThat(examples).as("worked examples of user routes").hasSizeGreaterThanOrEqualTo(2);
        all.addAll(examples);
        for (Path file : all) {
            assertThat(CAMEL_YAML_DSL.validate(YAML.readTree(file.toFile())))
                    .as(file.toString())
                    .isEmpty();
        }
    }

    @Test
    void theSchemaCheckCatchesAMisspeltStep() {
        JsonNode bad = YAML.valueToTree(List.of(java.util.Map.of(
                "route",
                java.util.Map.of(
                        "from",
                        java.util.Map.of("uri", "timer:x", "steps", List.of(java.util.Map.of("lgo", "typo")))))));
        assertThat(CAMEL_YAML_DSL.validate(bad)).isNotEmpty();
    }

    @Test
    void kameletsAreValidKameletResourcesWhoseTemplatesMatchTheSchema() throws IOException {
        List<Path> kamelets = files("kamelets", ".kamelet.yaml");
        assertThat(kamelets)
                .extracting(p -> p.getFileName().toString())
                .contains(
                        "buildkite-scheduled-jobs-source.kamelet.yaml",
                        "kubernetes-job-sink.kamelet.yaml",
                        "buildkite-fail-job-action.kamelet.yaml");
        for (Path file : kamelets) {
            JsonNode k = YAML.readTree(file.toFile());
            String where = file.toString();
            assertThat(k.path("apiVersion").asText()).as(where).isEqualTo("camel.apache.org/v1");
            assertThat(k.path("kind").asText()).as(where).isEqualTo("Kamelet");

            // Names, labels, titles, descriptions and dependencies: KameletCatalogueTest applies the catalogue's rules.
            JsonNode definition = k.path("spec").path("definition");
            String template = YAML.writeValueAsString(k.path("spec").path("template"));
            Set<String> required = new java.util.HashSet<>();
            definition.path("required").forEach(r -> required.add(r.asText()));
            definition.path("properties").fields().forEachRemaining(p -> {
                String prop = where + ": property " + p.getKey();
                JsonNode v = p.getValue();
                assertThat(v.path("type").asText()).as(prop + " type").isIn("string", "integer", "boolean", "number");
                boolean secret = p.getKey().toLowerCase().contains("token")
                        || p.getKey().toLowerCase().contains("password");
                if (secret) {
                    assertThat(v.path("format").asText())
                            .as(prop + " is a secret")
                            .isEqualTo("password");
                    assertThat(v.path("x-descriptors").toString()).as(prop).contains("urn:camel:group:credentials");
                }
                boolean optional = !required.contains(p.getKey()) && !v.has("default");
                assertThat(template)
                        .as(prop + (optional ? " is optional: passed as {{?name}}" : " is used"))
                        .contains(optional ? "{{?" + p.getKey() + "}}" : "{{" + p.getKey() + "}}");
            });

            // The template is a route (and beans): the same schema applies.
            ArrayNode asRoutes = JsonNodeFactory.instance.arrayNode();
            JsonNode beans = k.path("spec").path("template").path("beans");
            if (!beans.isMissingNode()) {
                asRoutes.addObject().set("beans", beans);
            }
            asRoutes.addObject()
                    .putObject("route")
                    .set("from", k.path("spec").path("template").path("from"));
            Set<ValidationMessage> problems = CAMEL_YAML_DSL.validate(asRoutes);
            assertThat(problems).as(where + " template").isEmpty();
        }
    }
}
