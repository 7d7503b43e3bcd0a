package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** values.schema.json and values.yaml: generated where they can be, self-contained, and documented key by key. */
class ValuesSchemaTest {

    static final String REGENERATE = "mvn -B -q test -Dtest=ValuesSchemaTest -Dschema.update=true";

    private static final Path SCHEMA = RenderedChart.CHART.resolve("values.schema.json");
    private static final Path VALUES = RenderedChart.CHART.resolve("values.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void configBlockIsGeneratedFromTheOptions() throws Exception {
        ObjectNode schema = (ObjectNode) JSON.readTree(SCHEMA.toFile());
        ObjectNode generated = ChartConfigSchema.generate();
        if (Boolean.getBoolean("schema.update")) {
            ((ObjectNode) schema.get("properties")).set("config", generated);
            Files.writeString(SCHEMA, ChartConfigSchema.writer().writeValueAsString(schema) + "\n");
            return;
        }
        assertThat(schema.at("/properties/config"))
                .as("the config block of values.schema.json is stale: run " + REGENERATE)
                .isEqualTo(generated);
    }

    /** org is needed only with the GraphQL API: the Stacks API, agent-stack-k8s' way, needs no config at all. */
    @Test
    void configRequiresNothingAndRefusesUnknownKeys() throws Exception {
        JsonNode config = JSON.readTree(SCHEMA.toFile()).at("/properties/config");
        assertThat(config.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(config.has("required")).isFalse();
        assertThat(config.get("properties").has("buildkite-token"))
                .as("tokens never go into the config ConfigMap")
                .isFalse();
    }

    /** Helm validates offline: a remote $ref would make install and lint depend on the network (the original's did). */
    @Test
    void worksOffline() throws Exception {
        List<String> remote = new ArrayList<>();
        collectReferences(JSON.readTree(SCHEMA.toFile()), "", remote);
        assertThat(remote).isEmpty();
    }

    private static void collectReferences(JsonNode node, String path, List<String> remote) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                boolean reference = Set.of("$ref", "$dynamicRef", "$id").contains(field.getKey());
                if (reference && !field.getValue().asText().startsWith("#")) {
                    remote.add(path + "/" + field.getKey() + " = "
                            + field.getValue().asText());
                }
                collectReferences(field.getValue(), path + "/" + field.getKey(), remote);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectReferences(node.get(i), path + "/" + i, remote);
            }
        }
    }

    @Test
    void everyTopLevelValueHasASchemaAndEverySchemaPropertyAValue() throws Exception {
        Set<String> values = new TreeSet<>();
        YAML.readTree(VALUES.toFile()).fieldNames().forEachRemaining(values::add);
        Set<String> schema = new TreeSet<>();
        JSON.readTree(SCHEMA.toFile()).get("properties").fieldNames().forEachRemaining(schema::add);
        schema.remove("global"); // Helm's, when the chart is a dependency
        assertThat(values).isEqualTo(schema);
    }

    /** Bitnami's convention: "## @param key description" for every value, or for an object the whole object. */
    @Test
    void everyValueIsDocumentedWithParam() throws Exception {
        Matcher param = Pattern.compile("(?m)^## @param (\\S+) \\S.*$").matcher(Files.readString(VALUES));
        Set<String> documented = new TreeSet<>();
        while (param.find()) {
            documented.add(param.group(1));
        }
        List<String> leaves = new ArrayList<>();
        List<String> allPaths = new ArrayList<>();
        collectPaths(YAML.readTree(VALUES.toFile()), "", leaves, allPaths);

        List<String> undocumented =
                leaves.stream().filter(leaf -> !coveredBy(leaf, documented)).toList();
        assertThat(undocumented).as("values without a ## @param line").isEmpty();
        assertThat(documented).as("## @param lines naming no value").allMatch(allPaths::contains);
    }

    private static void collectPaths(JsonNode node, String prefix, List<String> leaves, List<String> all) {
        if (node.isObject() && !node.isEmpty()) {
            node.fields().forEachRemaining(field -> {
                String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                all.add(path);
                collectPaths(field.getValue(), path, leaves, all);
            });
        } else {
            leaves.add(prefix);
        }
    }

    private static boolean coveredBy(String leaf, Set<String> documented) {
        for (String path = leaf; ; path = path.substring(0, path.lastIndexOf('.'))) {
            if (documented.contains(path)) {
                return true;
            }
            if (!path.contains(".")) {
                return false;
            }
        }
    }
}
