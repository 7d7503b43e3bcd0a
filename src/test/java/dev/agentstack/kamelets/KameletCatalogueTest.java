package dev.agentstack.kamelets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.kamelets.KameletCatalogueRules.KameletFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Our Kamelets at Apache Camel Kamelet catalogue grade: they pass the catalogue validator's rules, and their
 * {@code mvn:} dependency on this project (which their beans' classes come from) names the version pom.xml builds.
 */
class KameletCatalogueTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KameletCatalogueRules RULES = new KameletCatalogueRules("agent-stack-camel");
    private static final String SOURCE = "buildkite-scheduled-jobs-source.kamelet.yaml";

    private static List<KameletFile> ourKamelets() throws IOException {
        List<KameletFile> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("kamelets"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".kamelet.yaml"))
                    .sorted()
                    .toList()) {
                files.add(new KameletFile(p.getFileName().toString(), YAML.readTree(p.toFile())));
            }
        }
        return files;
    }

    /** groupId:artifactId:version of the project, as pom.xml declares them. */
    private static String pomCoordinates() throws Exception {
        Element project = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        return child(project, "groupId") + ":" + child(project, "artifactId") + ":" + child(project, "version");
    }

    private static String child(Element parent, String name) {
        for (var n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        throw new IllegalStateException("pom.xml has no project/" + name);
    }

    @Test
    void ourKameletsPassTheCatalogueValidatorsRules() throws IOException {
        List<KameletFile> kamelets = ourKamelets();
        assertThat(kamelets)
                .extracting(KameletFile::fileName)
                .containsExactly(
                        "buildkite-fail-job-action.kamelet.yaml",
                        SOURCE,
                        "buildkite-stack-finish-job-action.kamelet.yaml",
                        "buildkite-stack-jobs-source.kamelet.yaml",
                        "kubernetes-job-sink.kamelet.yaml");

        assertThat(RULES.problems(kamelets)).isEmpty();
    }

    @Test
    void eachKameletDependsOnThisArtifactAtTheVersionThePomBuilds() throws Exception {
        String coordinates = pomCoordinates();
        String version = coordinates.substring(coordinates.lastIndexOf(':') + 1);
        for (KameletFile file : ourKamelets()) {
            JsonNode k = file.kamelet();
            assertThat(k.path("spec").path("dependencies"))
                    .extracting(JsonNode::asText)
                    .as(file.fileName())
                    .contains("mvn:" + coordinates);
            assertThat(k.path("metadata")
                            .path("annotations")
                            .path(KameletCatalogueRules.CATALOG_VERSION)
                            .asText())
                    .as(file.fileName())
                    .isEqualTo(version);
        }
    }

    @Test
    void ourKameletsArePreviewWhileTheProjectIsYoung() throws IOException {
        for (KameletFile file : ourKamelets()) {
            assertThat(file.kamelet()
                            .path("metadata")
                            .path("annotations")
                            .path(KameletCatalogueRules.SUPPORT_LEVEL)
                            .asText())
                    .as(file.fileName())
                    .isEqualTo("Preview");
        }
    }

    /** Our source Kamelet with one change, checked alone; the problems it has. */
    private static List<String> problemsOfSourceWith(Consumer<ObjectNode> change) throws IOException {
        ObjectNode source =
                (ObjectNode) YAML.readTree(Path.of("kamelets", SOURCE).toFile());
        change.accept(source);
        return RULES.problems(List.of(new KameletFile(SOURCE, source)));
    }

    private static ObjectNode at(ObjectNode root, String... path) {
        ObjectNode node = root;
        for (String p : path) {
            node = (ObjectNode) node.get(p);
        }
        return node;
    }

    @Test
    void theRulesRejectWhatTheCatalogueValidatorRejects() throws IOException {
        assertThat(problemsOfSourceWith(k -> at(k, "metadata", "annotations").remove(KameletCatalogueRules.ICON)))
                .containsExactly("kamelet \"buildkite-scheduled-jobs-source\" does not contain the "
                        + "camel.apache.org/kamelet.icon annotation");
        assertThat(problemsOfSourceWith(k -> at(k, "metadata", "annotations")
                        .put(KameletCatalogueRules.ICON, "data:image/png;base64,iVBORw0KGgo=")))
                .singleElement()
                .asString()
                .contains("not an SVG document");
        assertThat(problemsOfSourceWith(k -> at(k, "metadata").put("name", "buildkite-jobs-source")))
                .singleElement()
                .asString()
                .startsWith("file \"" + SOURCE + "\" does not match");
        assertThat(problemsOfSourceWith(k -> at(k, "metadata", "labels").put(KameletCatalogueRules.TYPE_LABEL, "sink")))
                .contains("name of kamelet \"buildkite-scheduled-jobs-source\" does not end with \"-sink\"");
        assertThat(problemsOfSourceWith(
                        k -> at(k, "spec", "definition", "properties", "queue").remove("title")))
                .containsExactly("property \"queue\" in kamelet \"buildkite-scheduled-jobs-source\" does not contain "
                        + "title");
        assertThat(problemsOfSourceWith(
                        k -> at(k, "spec", "definition", "properties", "queue").put("title", "The queue")))
                .contains(
                        "property \"queue\" in kamelet \"buildkite-scheduled-jobs-source\" has a title starting with "
                                + "\"The \"",
                        "property \"queue\" in kamelet \"buildkite-scheduled-jobs-source\" has a non-capitalized word "
                                + "in the title: \"queue\"");
        assertThat(problemsOfSourceWith(
                        k -> ((ArrayNode) at(k, "spec", "definition").get("required")).add("branch")))
                .containsExactly("required property \"branch\" in kamelet \"buildkite-scheduled-jobs-source\" is not "
                        + "defined");
    }

    @Test
    void theRulesRejectUndeclaredAndUnusedParametersAndBadDependencies() throws IOException {
        assertThat(problemsOfSourceWith(k -> at(k, "spec", "template", "from").put("uri", "timer:{{routeId}}")))
                .containsExactly("parameter \"routeId\" is not declared in the definition of kamelet "
                        + "\"buildkite-scheduled-jobs-source\"");
        assertThat(problemsOfSourceWith(k -> at(k, "spec", "definition", "properties")
                        .putObject("branch")
                        .put("title", "Branch")
                        .put("description", "A branch.")
                        .put("type", "string")))
                .containsExactly("parameter \"branch\" is declared in kamelet \"buildkite-scheduled-jobs-source\" but "
                        + "never used");
        assertThat(problemsOfSourceWith(k ->
                        ((ArrayNode) at(k, "spec").get("dependencies")).add("mvn:dev.agentstack:agent-stack-camel")))
                .singleElement()
                .asString()
                .contains("\"mvn:dev.agentstack:agent-stack-camel\" that is not");
        assertThat(problemsOfSourceWith(k -> ((ArrayNode) at(k, "spec").get("dependencies")).remove(3)))
                .containsExactly("kamelet \"buildkite-scheduled-jobs-source\" need dependency \"camel:graphql\"");
        assertThat(problemsOfSourceWith(
                        k -> at(k, "spec", "definition", "properties", "token").remove("x-descriptors")))
                .containsExactly("property \"token\" in kamelet "
                        + "\"buildkite-scheduled-jobs-source\" has \"password\" format but misses descriptor "
                        + "\"urn:camel:group:credentials\"");
    }

    @Test
    void theRulesRejectTheSameTitleTwiceAndMixedCatalogueVersions() throws IOException {
        List<KameletFile> kamelets = new ArrayList<>(ourKamelets());
        ObjectNode copy = (ObjectNode) YAML.readTree(Path.of("kamelets", SOURCE).toFile());
        at(copy, "metadata").put("name", "buildkite-copy-source");
        at(copy, "metadata", "annotations").put(KameletCatalogueRules.CATALOG_VERSION, "0.0.9");
        kamelets.add(new KameletFile("buildkite-copy-source.kamelet.yaml", copy));

        assertThat(RULES.problems(kamelets))
                .containsExactly(
                        "kamelet \"buildkite-copy-source\" has duplicate title \"Buildkite Scheduled Jobs Source\"",
                        "kamelet \"buildkite-copy-source\" has duplicate description",
                        "inconsistent camel.apache.org/catalog.version across the catalog: {0.0.9=[buildkite-copy-source], "
                                + "0.1.0=[buildkite-fail-job-action, buildkite-scheduled-jobs-source,"
                                + " buildkite-stack-finish-job-action, buildkite-stack-jobs-source, kubernetes-job-sink]}");
    }
}
