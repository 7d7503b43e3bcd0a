package dev.agentstack.podspec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentstack.config.DecodeException;
import dev.agentstack.config.Options;
import dev.agentstack.config.StrictDecoder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Start-up checks of the controller's {@code pod-spec-patch}: it must be a PodSpec (strategic-merge directives
 * allowed), it may not set commands unless {@code allow-pod-spec-patch-unsafe-command-modification} is on, and its
 * images must be lower case (the original's rules).
 */
public final class ControllerPodSpecPatch {

    private ControllerPodSpecPatch() {}

    public static String problem(Map<String, Object> patch, boolean allowCommands) {
        if (patch == null) {
            return null;
        }
        JsonNode tree = StrictDecoder.MAPPER.valueToTree(patch);
        PodSpec spec;
        try {
            spec = StrictDecoder.decode(StrictDecoder.withoutDirectives(tree), PodSpec.class, "");
        } catch (DecodeException e) {
            return e.getMessage();
        }
        for (Map.Entry<String, List<Container>> list : List.of(
                Map.entry("containers", nullSafe(spec.getContainers())),
                Map.entry("initContainers", nullSafe(spec.getInitContainers())))) {
            for (int i = 0; i < list.getValue().size(); i++) {
                Container c = list.getValue().get(i);
                boolean setsCommand = c.getCommand() != null && !c.getCommand().isEmpty()
                        || c.getArgs() != null && !c.getArgs().isEmpty();
                if (setsCommand && !allowCommands) {
                    return list.getKey() + "[" + i + "]" + (c.getName() != null ? " (" + c.getName() + ")" : "")
                            + ": modifying container commands or args via podSpecPatch is not supported unless "
                            + Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION.key() + " is true";
                }
                if (c.getImage() != null && !c.getImage().equals(c.getImage().toLowerCase(Locale.ROOT))) {
                    return "container image for container at index " + i + " contains uppercase letters: "
                            + c.getImage();
                }
            }
        }
        return null;
    }

    private static List<Container> nullSafe(List<Container> l) {
        return l == null ? List.of() : l;
    }
}
