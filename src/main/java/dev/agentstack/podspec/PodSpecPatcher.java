package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a pod spec patch (the controller's or the plugin's) with the original's rules for commands: the commands
 * of agent, checkout and copy-agent are the controller's to decide (unless the unsafe option is on); a new command
 * for a command container becomes its BUILDKITE_COMMAND, so the container still runs under kubernetes-bootstrap.
 */
final class PodSpecPatcher {

    static final String FROM_CONTROLLER = "controller";
    static final String FROM_PLUGIN = "k8s plugin";
    private static final String NOT_SUPPORTED =
            "modifying container commands or args via podSpecPatch is not" + " supported";

    private PodSpecPatcher() {}

    static PodSpec apply(PodSpec spec, PodSpecPatch patch, String source, JobInputs in) {
        ObjectNode json = patch.json().deepCopy();
        rewriteCommands(json, "containers", spec.getContainers(), in);
        rewriteCommands(json, "initContainers", spec.getInitContainers(), in);
        ObjectNode patched;
        try {
            patched = StrategicMergePatch.apply(PodSpecJson.tree(spec), json, StrategicMergePatch.POD_SPEC);
        } catch (StrategicMergePatch.PatchException e) {
            throw new BuildFailure("failed to apply podSpec patch from " + source + ": " + e.getMessage());
        }
        return PodSpecJson.spec(patched);
    }

    private static void rewriteCommands(ObjectNode patch, String list, List<Container> existing, JobInputs in) {
        if (!(patch.get(list) instanceof ArrayNode items)) {
            return;
        }
        for (JsonNode node : items) {
            if (!(node instanceof ObjectNode item) || item.get("name") == null) {
                continue;
            }
            String name = item.get("name").asText();
            if (list.equals("initContainers") && name.startsWith(ImageChecks.PREFIX)) {
                // checks are made from the final containers, after every patch, so there is nothing to patch yet
                throw new BuildFailure(
                        setsCommand(item)
                                ? "for the " + name + " container, " + NOT_SUPPORTED
                                : "the " + name
                                        + " container cannot be patched: image checks are added after the patches"
                                        + " (see skip-image-check-containers and image-check-container-cpu-limit/-memory-limit)");
            }
            Container original = find(existing, name);
            if (original == null || !changesCommand(item, original)) {
                continue;
            }
            boolean system = list.equals("containers")
                            && (name.equals(SystemContainers.AGENT) || name.equals(SystemContainers.CHECKOUT))
                    || list.equals("initContainers") && name.equals(SystemContainers.COPY_AGENT);
            if (system) {
                if (in.config().allowPodSpecPatchUnsafeCommandModification()) {
                    continue;
                }
                throw new BuildFailure("for the " + name + " container, " + NOT_SUPPORTED
                        + (name.equals(SystemContainers.CHECKOUT)
                                ? "; instead consider configuring a checkout hook or skipping the checkout container entirely"
                                : ""));
            }
            if (list.equals("containers") && isCommandContainer(original)) {
                String command = in.interposer().command(strings(item.get("command")), strings(item.get("args")));
                item.remove("command");
                item.remove("args");
                ArrayNode env = item.get("env") instanceof ArrayNode e ? e : item.putArray("env");
                env.addObject().put("name", CommandContainers.COMMAND_ENV).put("value", command);
            }
        }
    }

    private static boolean setsCommand(ObjectNode item) {
        return item.has("command") || item.has("args");
    }

    private static boolean changesCommand(ObjectNode item, Container original) {
        return item.has("command") && !strings(item.get("command")).equals(orEmpty(original.getCommand()))
                || item.has("args") && !strings(item.get("args")).equals(orEmpty(original.getArgs()));
    }

    /** A container the builder rewrote to run kubernetes-bootstrap. */
    private static boolean isCommandContainer(Container c) {
        return CommandContainers.ENTRYPOINT.equals(c.getCommand())
                && CommandContainers.BOOTSTRAP_ARGS.equals(c.getArgs());
    }

    private static Container find(List<Container> containers, String name) {
        if (containers != null) {
            for (Container c : containers) {
                if (name.equals(c.getName())) {
                    return c;
                }
            }
        }
        return null;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static List<String> orEmpty(List<String> l) {
        return l == null ? List.of() : l;
    }
}
