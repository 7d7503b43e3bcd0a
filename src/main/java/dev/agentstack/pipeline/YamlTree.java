package dev.agentstack.pipeline;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A YAML document as plain maps, lists and scalars (YAML 1.2 core schema), with anchors, aliases and merge keys
 * ({@code <<: *defaults}) resolved as Buildkite resolves them. Jackson's YAML reading hands an alias back as its
 * anchor's name ({@code command: *build} read as the string "build") and drops anchors on scalars, so this builds the
 * tree from the parser's events itself. Aliases share the anchored value and are counted: a document whose aliases
 * would expand past {@value #MAX_EXPANDED_NODES} values (an alias bomb) is refused, as is nesting deeper than
 * {@value #MAX_DEPTH} levels; the parser is not recursive, so neither can exhaust the stack.
 */
final class YamlTree {

    static final int MAX_EXPANDED_NODES = 100_000;
    static final int MAX_DEPTH = 200;
    private static final String MERGE_KEY = "<<";
    private static final ScalarResolver CORE = new CoreSchema().getScalarResolver();

    /** A value with the number of values it stands for once its aliases are expanded. */
    private record Sized(Object value, long nodes) {}

    private final Iterator<Event> events;
    private final Map<String, Sized> anchors = new HashMap<>();
    private long expanded;

    private YamlTree(Iterator<Event> events) {
        this.events = events;
    }

    /** The first document of the text, or null for none; a PipelineException says what is wrong and where. */
    static Object read(String yaml) {
        try {
            // One buffer for the whole text: snakeyaml-engine 3.0.1 fails with IndexOutOfBoundsException when a buffer
            // ends between the two chars of a surrogate pair (an emoji at the wrong offset).
            LoadSettings settings = LoadSettings.builder()
                    .setLabel("pipeline")
                    .setBufferSize(Math.max(1024, yaml.length() + 1))
                    .build();
            Iterator<Event> events = new Parse(settings).parseString(yaml).iterator();
            Event e = events.next(); // stream start
            while (e.getEventId() != Event.ID.DocumentStart) {
                if (e.getEventId() == Event.ID.StreamEnd) {
                    return null;
                }
                e = events.next();
            }
            YamlTree tree = new YamlTree(events);
            return tree.value(events.next(), 0).value();
        } catch (MarkedYamlEngineException e) {
            throw new PipelineException("not valid YAML"
                    + e.getProblemMark()
                            .map(m -> " (line " + (m.getLine() + 1) + ")")
                            .orElse("") + ": "
                    + e.getProblem());
        } catch (YamlEngineException e) {
            throw new PipelineException("not valid YAML: " + e.getMessage());
        }
    }

    private Sized value(Event e, int depth) {
        if (depth > MAX_DEPTH) {
            throw new PipelineException("nested deeper than " + MAX_DEPTH + " levels" + line(e));
        }
        if (e instanceof AliasEvent alias) {
            String name = alias.getAlias().getValue();
            Sized target = anchors.get(name);
            if (target == null) {
                throw new PipelineException("alias *" + name + line(e) + " names no anchor defined before it");
            }
            expanded += target.nodes();
            if (expanded > MAX_EXPANDED_NODES) {
                throw new PipelineException(
                        "the aliases expand to more than " + MAX_EXPANDED_NODES + " values (an alias bomb?)");
            }
            return target;
        }
        Sized result;
        if (e instanceof MappingStartEvent) {
            result = map(e, depth);
        } else if (e instanceof SequenceStartEvent) {
            result = list(depth);
        } else if (e instanceof ScalarEvent s) {
            result = new Sized(scalar(s), 1);
        } else {
            throw new PipelineException("not valid YAML" + line(e) + ": unexpected " + e.getEventId());
        }
        ((NodeEvent) e).getAnchor().ifPresent(a -> anchors.put(a.getValue(), result));
        return result;
    }

    private Sized map(Event start, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        List<Object> merged = new ArrayList<>();
        long nodes = 1;
        for (Event k = events.next(); k.getEventId() != Event.ID.MappingEnd; k = events.next()) {
            Sized key = value(k, depth + 1);
            Sized v = value(events.next(), depth + 1);
            nodes += key.nodes() + v.nodes();
            String name = String.valueOf(key.value());
            if (MERGE_KEY.equals(name) && k instanceof ScalarEvent s && s.isPlain()) {
                merged.add(v.value());
            } else {
                map.put(name, v.value()); // a repeated key: the later one wins, as before
            }
        }
        // merge keys: the mapping's own keys win, then earlier merged mappings over later ones
        for (Object source : merged) {
            for (Object m : source instanceof List<?> l ? l : java.util.Collections.singletonList(source)) {
                if (!(m instanceof Map<?, ?> from)) {
                    throw new PipelineException(
                            "<<" + line(start) + ": expected a mapping (or a list of them) to merge");
                }
                from.forEach((k, val) -> map.putIfAbsent(String.valueOf(k), val));
            }
        }
        return new Sized(map, nodes);
    }

    private Sized list(int depth) {
        List<Object> list = new ArrayList<>();
        long nodes = 1;
        for (Event e = events.next(); e.getEventId() != Event.ID.SequenceEnd; e = events.next()) {
            Sized v = value(e, depth + 1);
            nodes += v.nodes();
            list.add(v.value());
        }
        return new Sized(list, nodes);
    }

    /** A plain scalar typed by the core schema (null, booleans, integers, floats); anything quoted is a string. */
    private static Object scalar(ScalarEvent s) {
        String v = s.getValue();
        Tag tag = s.getTag()
                .filter(t -> !"!".equals(t))
                .map(Tag::new)
                .orElseGet(() -> s.isPlain() ? CORE.resolve(v, true) : Tag.STR);
        try {
            if (Tag.NULL.equals(tag)) {
                return null;
            }
            if (Tag.BOOL.equals(tag)) {
                return Boolean.valueOf(v.toLowerCase(java.util.Locale.ROOT).equals("true"));
            }
            if (Tag.INT.equals(tag)) {
                return integer(v);
            }
            if (Tag.FLOAT.equals(tag)) {
                String f = v.toLowerCase(java.util.Locale.ROOT);
                return f.endsWith(".nan")
                        ? Double.NaN
                        : f.endsWith(".inf")
                                ? (f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                                : Double.valueOf(v);
            }
        } catch (NumberFormatException e) {
            return v; // an explicit tag on a value that is not one (!!int abc): keep the text
        }
        return v;
    }

    private static Number integer(String v) {
        String digits = v.startsWith("+") ? v.substring(1) : v;
        BigInteger n = digits.startsWith("0x")
                ? new BigInteger(digits.substring(2), 16)
                : digits.startsWith("0o") ? new BigInteger(digits.substring(2), 8) : new BigInteger(digits);
        return n.bitLength() < 32 ? (Number) n.intValue() : n.bitLength() < 64 ? (Number) n.longValue() : n;
    }

    private static String line(Event e) {
        return e.getStartMark().map(m -> " (line " + (m.getLine() + 1) + ")").orElse("");
    }
}
