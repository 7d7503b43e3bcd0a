package dev.agentstack.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

/**
 * The rules a Kamelet must follow to be accepted into the Apache Camel Kamelet catalogue. They follow the catalogue's
 * own validator, apache/camel-kamelets {@code script/validator/validator.go}, rule by rule (messages kept close to
 * its), with these project choices: the provider annotation must name our provider instead of the Apache Software
 * Foundation; the icon must really be an SVG data: URI; a {@code mvn:} dependency must be the full
 * group:artifact:version its message asks for; and the support level, group and namespace annotations and the
 * {@code urn:} form of x-descriptors, which catalogue Kamelets all carry, are required too. The rule that each
 * component a template uses is a declared dependency comes from that validator's earlier versions.
 *
 * <p>Pure: Kamelets (file name and parsed YAML) in, one message per broken rule out.
 */
final class KameletCatalogueRules {

    /** A Kamelet file: its name (for the file-name rule) and its parsed content. */
    record KameletFile(String fileName, JsonNode kamelet) {}

    static final String TYPE_LABEL = "camel.apache.org/kamelet.type";
    static final String ICON = "camel.apache.org/kamelet.icon";
    static final String CATALOG_VERSION = "camel.apache.org/catalog.version";
    static final String PROVIDER = "camel.apache.org/provider";
    static final String SUPPORT_LEVEL = "camel.apache.org/kamelet.support.level";
    static final String GROUP = "camel.apache.org/kamelet.group";
    static final String NAMESPACE = "camel.apache.org/kamelet.namespace";

    private static final String CREDENTIALS = "urn:camel:group:credentials";
    private static final String DEPRECATED_DESCRIPTOR_PREFIX = "urn:alm:descriptor:com.tectonic.ui";
    private static final Set<String> TYPES = Set.of("source", "sink", "action");
    private static final Set<String> SUPPORT_LEVELS = Set.of("Stable", "Preview", "Deprecated");
    /** The validator's placeholder pattern: {{name}}, {{?name}} and {{name:default}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{[?]?([A-Za-z0-9-._]+)(?:[:][^}]*)?}}");

    private static final Pattern DEPENDENCY =
            Pattern.compile("camel:[a-z0-9-]+|mvn:[\\w.-]+:[\\w.-]+:[\\w.-]+|github:apache/.+");
    private static final String SVG_DATA_URI = "data:image/svg+xml;base64,";
    /** English stop words: the only words of a property title allowed to start lower case. */
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "of", "on", "or", "per", "the", "to",
            "with");

    private final String provider;

    /** @param provider the value every Kamelet's provider annotation must have */
    KameletCatalogueRules(String provider) {
        this.provider = provider;
    }

    /** Every broken rule across the given Kamelets; empty when they could join the catalogue. */
    List<String> problems(List<KameletFile> files) {
        List<String> problems = new ArrayList<>();
        for (KameletFile file : files) {
            problems.addAll(problems(file));
        }
        problems.addAll(duplicates(files));
        problems.addAll(catalogVersionConsistency(files));
        return problems;
    }

    private List<String> problems(KameletFile file) {
        List<String> problems = new ArrayList<>();
        JsonNode k = file.kamelet();
        String name = k.path("metadata").path("name").asText();
        if (!file.fileName().equals(name + ".kamelet.yaml")) {
            problems.add("file \"" + file.fileName() + "\" does not match the name of the contained kamelet: " + name);
        }
        String type = k.path("metadata").path("labels").path(TYPE_LABEL).asText();
        if (!TYPES.contains(type)) {
            problems.add("kamelet \"" + name + "\" contains an invalid value for the " + TYPE_LABEL + " label: \""
                    + type + "\"");
        } else if (!name.endsWith("-" + type)) {
            problems.add("name of kamelet \"" + name + "\" does not end with \"-" + type + "\"");
        }
        JsonNode definition = k.path("spec").path("definition");
        JsonNode template = k.path("spec").path("template");
        if (!definition.isObject()) {
            problems.add("kamelet \"" + name + "\" does not contain the JSON schema definition");
            return problems;
        }
        if (!template.isObject()) {
            problems.add("kamelet \"" + name + "\" does not contain the Template specification");
            return problems;
        }
        problems.addAll(definitionProblems(name, type, definition));
        problems.addAll(annotationProblems(name, k.path("metadata").path("annotations")));
        problems.addAll(descriptorProblems(name, definition.path("properties")));
        problems.addAll(parameterUseProblems(name, definition.path("properties"), template));
        problems.addAll(templateConventionProblems(name, type, template));
        problems.addAll(dependencyProblems(name, k.path("spec").path("dependencies"), template));
        return problems;
    }

    private static List<String> definitionProblems(String name, String type, JsonNode definition) {
        List<String> problems = new ArrayList<>();
        Set<String> required = new HashSet<>();
        for (JsonNode r : definition.path("required")) {
            if (!required.add(r.asText())) {
                problems.add(
                        "required kamelet property \"" + r.asText() + "\" is listed twice in kamelet \"" + name + "\"");
            }
        }
        String title = definition.path("title").asText();
        if (title.isEmpty()) {
            problems.add("kamelet \"" + name + "\" does not contain title");
        } else if (type.length() > 1) {
            String suffix = Character.toUpperCase(type.charAt(0)) + type.substring(1);
            if (!title.endsWith(suffix)) {
                problems.add("kamelet \"" + name + "\" title \"" + title + "\" does not end with \"" + suffix + "\"");
            }
        }
        if (definition.path("description").asText().isEmpty()) {
            problems.add("kamelet \"" + name + "\" does not contain description");
        }
        if (!"object".equals(definition.path("type").asText())) {
            problems.add("kamelet \"" + name + "\" does not contain a definition of type \"object\"");
        }
        definition.path("properties").fields().forEachRemaining(p -> {
            String property = "property \"" + p.getKey() + "\" in kamelet \"" + name + "\"";
            JsonNode v = p.getValue();
            if (v.path("type").asText().isEmpty()) {
                problems.add(property + " does not contain type");
            }
            String propertyTitle = v.path("title").asText();
            if (propertyTitle.isEmpty()) {
                problems.add(property + " does not contain title");
            }
            for (String word : propertyTitle.split(" ")) {
                if (!word.isEmpty()
                        && !STOP_WORDS.contains(word.toLowerCase())
                        && !Character.isUpperCase(word.charAt(0))
                        && Character.isLetter(word.charAt(0))) {
                    problems.add(property + " has a non-capitalized word in the title: \"" + word + "\"");
                }
            }
            for (String article : List.of("The ", "A ", "An ")) {
                if (propertyTitle.startsWith(article)) {
                    problems.add(property + " has a title starting with \"" + article + "\"");
                }
            }
            if (v.path("description").asText().isEmpty()) {
                problems.add(property + " does not contain a description");
            }
        });
        for (String r : required) {
            if (!definition.path("properties").has(r)) {
                problems.add("required property \"" + r + "\" in kamelet \"" + name + "\" is not defined");
            }
        }
        return problems;
    }

    private List<String> annotationProblems(String name, JsonNode annotations) {
        List<String> problems = new ArrayList<>();
        for (String required : List.of(ICON, CATALOG_VERSION, SUPPORT_LEVEL, GROUP, NAMESPACE)) {
            if (annotations.path(required).asText().isEmpty()) {
                problems.add("kamelet \"" + name + "\" does not contain the " + required + " annotation");
            }
        }
        String icon = annotations.path(ICON).asText();
        if (!icon.isEmpty() && !isSvgDataUri(icon)) {
            problems.add(
                    "kamelet \"" + name + "\" has an icon that is not an SVG document in a " + SVG_DATA_URI + " URI");
        }
        String level = annotations.path(SUPPORT_LEVEL).asText();
        if (!level.isEmpty() && !SUPPORT_LEVELS.contains(level)) {
            problems.add("kamelet \"" + name + "\" has an unknown support level \"" + level + "\"");
        }
        String actual = annotations.path(PROVIDER).asText();
        if (!provider.equals(actual)) {
            problems.add("kamelet \"" + name + "\" does not contain the right value for the " + PROVIDER
                    + " annotation: expected \"" + provider + "\", found \"" + actual + "\"");
        }
        return problems;
    }

    /** True when the URI is base64 data whose XML root element is an SVG {@code <svg>}. */
    static boolean isSvgDataUri(String uri) {
        if (!uri.startsWith(SVG_DATA_URI)) {
            return false;
        }
        try {
            byte[] svg = Base64.getDecoder().decode(uri.substring(SVG_DATA_URI.length()));
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var root = factory.newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg))
                    .getDocumentElement();
            return "svg".equals(root.getLocalName()) && "http://www.w3.org/2000/svg".equals(root.getNamespaceURI());
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> descriptorProblems(String name, JsonNode properties) {
        List<String> problems = new ArrayList<>();
        properties.fields().forEachRemaining(p -> {
            String property = "property \"" + p.getKey() + "\" in kamelet \"" + name + "\"";
            Set<String> seen = new HashSet<>();
            for (JsonNode d : p.getValue().path("x-descriptors")) {
                String descriptor = d.asText();
                if (!seen.add(descriptor)) {
                    problems.add(property + " lists the x-descriptor \"" + descriptor + "\" more than once");
                }
                if (descriptor.startsWith(DEPRECATED_DESCRIPTOR_PREFIX)) {
                    problems.add(property + " uses the deprecated x-descriptor prefix \"" + DEPRECATED_DESCRIPTOR_PREFIX
                            + "\"; use \"" + CREDENTIALS + "\" instead");
                } else if (!descriptor.startsWith("urn:")) {
                    problems.add(property + " has an x-descriptor that is not a urn: \"" + descriptor + "\"");
                }
            }
            if ("password".equals(p.getValue().path("format").asText()) && !seen.contains(CREDENTIALS)) {
                problems.add(property + " has \"password\" format but misses descriptor \"" + CREDENTIALS + "\"");
            }
        });
        return problems;
    }

    /** Every {{placeholder}} names a property or a template bean, and every property and bean is used. */
    private static List<String> parameterUseProblems(String name, JsonNode properties, JsonNode template) {
        Set<String> declared = new LinkedHashSet<>();
        properties.fieldNames().forEachRemaining(declared::add);
        template.path("beans").forEach(b -> declared.add(b.path("name").asText()));
        Set<String> used = new LinkedHashSet<>();
        strings(template).forEach(s -> {
            Matcher m = PLACEHOLDER.matcher(s);
            while (m.find()) {
                used.add(m.group(1));
            }
        });
        List<String> problems = new ArrayList<>();
        for (String p : used) {
            if (!declared.contains(p)) {
                problems.add("parameter \"" + p + "\" is not declared in the definition of kamelet \"" + name + "\"");
            }
        }
        for (String p : declared) {
            if (!used.contains(p)) {
                problems.add("parameter \"" + p + "\" is declared in kamelet \"" + name + "\" but never used");
            }
        }
        return problems;
    }

    private static List<String> templateConventionProblems(String name, String type, JsonNode template) {
        Map<String, String> expected = Map.of("source", "kamelet:sink", "sink", "kamelet:source");
        String endpoint = expected.get(type);
        if (endpoint != null && strings(template).stream().noneMatch(s -> s.contains(endpoint))) {
            String verb = "source".equals(type) ? "route to" : "consume from";
            return List.of(type + " kamelet \"" + name + "\" must " + verb + " \"" + endpoint + "\"");
        }
        return List.of();
    }

    private static List<String> dependencyProblems(String name, JsonNode dependencies, JsonNode template) {
        List<String> problems = new ArrayList<>();
        Set<String> declared = new HashSet<>();
        for (JsonNode d : dependencies) {
            declared.add(d.asText());
            if (!DEPENDENCY.matcher(d.asText()).matches()) {
                problems.add("kamelet \"" + name + "\" declares dependency \"" + d.asText() + "\" that is not a "
                        + "\"camel:\", \"mvn:group:artifact:version\" or \"github:apache/...\" reference");
            }
        }
        for (String needed : componentDependencies(template)) {
            if (!declared.contains(needed)) {
                problems.add("kamelet \"" + name + "\" need dependency \"" + needed + "\"");
            }
        }
        return problems;
    }

    /** camel:scheme for every endpoint URI of the template, and camel:bean for bean and method calls. */
    private static Set<String> componentDependencies(JsonNode node) {
        Set<String> needed = new TreeSet<>();
        collectComponents(node, needed);
        return needed;
    }

    private static void collectComponents(JsonNode node, Set<String> needed) {
        node.fields().forEachRemaining(f -> {
            boolean endpoint = ("uri".equals(f.getKey()) || "to".equals(f.getKey()))
                    && f.getValue().isTextual();
            if (endpoint && f.getValue().asText().contains(":")) {
                needed.add("camel:"
                        + f.getValue()
                                .asText()
                                .substring(0, f.getValue().asText().indexOf(':')));
            }
            if ("bean".equals(f.getKey())
                    || ("method".equals(f.getKey()) && f.getValue().isObject())) {
                needed.add("camel:bean");
            }
        });
        node.elements().forEachRemaining(child -> collectComponents(child, needed));
    }

    /** Every string value in the tree, as the validator inspects the template for placeholders. */
    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.elements().forEachRemaining(child -> out.addAll(strings(child)));
        return out;
    }

    private static List<String> duplicates(List<KameletFile> files) {
        List<String> problems = new ArrayList<>();
        Set<String> titles = new HashSet<>();
        Set<String> descriptions = new HashSet<>();
        for (KameletFile file : files) {
            String name = file.kamelet().path("metadata").path("name").asText();
            JsonNode definition = file.kamelet().path("spec").path("definition");
            if (!titles.add(definition.path("title").asText())) {
                problems.add("kamelet \"" + name + "\" has duplicate title \""
                        + definition.path("title").asText() + "\"");
            }
            if (!descriptions.add(definition.path("description").asText())) {
                problems.add("kamelet \"" + name + "\" has duplicate description");
            }
        }
        return problems;
    }

    /** One catalogue, one version: a Kamelet edited without the version bump stands out. */
    private static List<String> catalogVersionConsistency(List<KameletFile> files) {
        Map<String, List<String>> byVersion = new TreeMap<>();
        for (KameletFile file : files) {
            byVersion
                    .computeIfAbsent(
                            file.kamelet()
                                    .path("metadata")
                                    .path("annotations")
                                    .path(CATALOG_VERSION)
                                    .asText(),
                            v -> new ArrayList<>())
                    .add(file.kamelet().path("metadata").path("name").asText());
        }
        return byVersion.size() > 1
                ? List.of("inconsistent " + CATALOG_VERSION + " across the catalog: " + byVersion)
                : List.of();
    }
}
