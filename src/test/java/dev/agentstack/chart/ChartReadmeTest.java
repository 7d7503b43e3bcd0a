package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart README's parameter tables are what Bitnami's readme-generator-for-helm makes of values.yaml: one table per
 * {@code ## @section}, one row per {@code ## @param} or {@code ## @extra}, with its description and default. This
 * re-implements the check, not the generation, so the Java build needs no node; {@code tools/chart/readme}
 * regenerates the tables with the real generator.
 */
class ChartReadmeTest {

    static final String REGENERATE = "tools/chart/readme";

    private static final Path VALUES = RenderedChart.CHART.resolve("values.yaml");
    private static final Path README = RenderedChart.CHART.resolve("README.md");
    private static final Pattern TAG = Pattern.compile("^## @(section|param|extra) (.+)$");
    private static final Pattern MODIFIERS = Pattern.compile("^\\[([^]]*)] ?(.*)$");
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` +\\| (.*?) +\\| (.*?) *\\|$");
    private static final Pattern HEADING = Pattern.compile("^(#{2,}) (.+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row of a parameter table, under its section. */
    record Row(String section, String name, String description, String value) {}

    @Test
    void theParameterTablesListEveryDocumentedValueWithItsDefault() throws IOException {
        List<Row> documented = rowsOf(Files.readString(VALUES));
        assertThat(documented)
                .anySatisfy(row -> assertThat(row)
                        .extracting(Row::section, Row::name, Row::value)
                        .containsExactly("Controller configuration", "config", "`{}`"));
        assertThat(tablesOf(Files.readString(README)))
                .as("README parameter tables; regenerate with " + REGENERATE)
                .containsExactlyElementsOf(documented);
    }

    @Test
    void theIntroductionSaysHowToPushTheArchiveAndRunHelmTest() throws IOException {
        assertThat(Files.readString(README))
                .contains("helm push target/agent-stack-camel-<version>.tgz oci://<registry>/<repo>")
                .contains("helm test ");
    }

    /** What the generator would write, in values.yaml's order. */
    static List<Row> rowsOf(String valuesYaml) throws IOException {
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(valuesYaml);
        List<Row> rows = new ArrayList<>();
        String section = "";
        for (String line : valuesYaml.lines().toList()) {
            Matcher tag = TAG.matcher(line);
            if (!tag.matches()) {
                continue;
            }
            if (tag.group(1).equals("section")) {
                section = tag.group(2).trim();
                continue;
            }
            String[] keyAndRest = tag.group(2).split(" ", 2);
            String key = keyAndRest[0];
            String description = keyAndRest.length > 1 ? keyAndRest[1].trim() : "";
            String value = tag.group(1).equals("extra") ? "" : formatted(at(values, key));
            Matcher modifiers = MODIFIERS.matcher(description);
            if (modifiers.matches()) {
                description = modifiers.group(2);
                for (String modifier : modifiers.group(1).split(",")) {
                    if (modifier.trim().startsWith("default:")) {
                        value = "`"
                                + modifier.trim().substring("default:".length()).trim() + "`";
                    }
                }
            }
            rows.add(new Row(section, key, description, value));
        }
        return rows;
    }

    /** The rows of the tables under "## Parameters". */
    static List<Row> tablesOf(String readme) {
        List<Row> rows = new ArrayList<>();
        boolean inParameters = false;
        String section = "";
        for (String line : readme.lines().toList()) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                if (heading.group(1).length() == 2) {
                    inParameters = heading.group(2).trim().equals("Parameters");
                } else {
                    section = heading.group(2).trim();
                }
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inParameters && row.matches()) {
                rows.add(new Row(
                        section, row.group(1), row.group(2).trim(), row.group(3).trim()));
            }
        }
        return rows;
    }

    private static JsonNode at(JsonNode values, String key) {
        JsonNode node = values;
        for (String part : key.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    /** The generator's Value column: strings as they are ("" when empty), everything else as JSON. */
    private static String formatted(JsonNode value) throws IOException {
        if (value.isMissingNode()) {
            return "";
        }
        if (value.isTextual()) {
            return value.asText().isEmpty() ? "`\"\"`" : "`" + value.asText() + "`";
        }
        return "`" + JSON.writeValueAsString(value) + "`";
    }
}
