package dev.agentstack.podspec;

import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Image checks and pull policies. An {@code imagecheck-N} init container runs a trivial command in each image the
 * pod's containers use, so an image that cannot be pulled fails the pod before the agent acquires the job (and the
 * controller can still say why). Because the check has just pulled an image, containers using it need not pull again.
 *
 * <p>Unlike the original, this runs on the final containers, after the patches and the step's {@code image:}, so a
 * patched image is checked too; checks are numbered in the order images first appear.
 */
final class ImageChecks {

    static final String PREFIX = "imagecheck-";
    static final String ALWAYS = "Always";
    static final String IF_NOT_PRESENT = "IfNotPresent";
    static final String NEVER = "Never";

    private ImageChecks() {}

    /** The pull policy for an image nothing else decides: a digest never changes, a tag may. */
    static String digestRule(String image) {
        try {
            return ImageReference.parse(image).hasDigest() ? IF_NOT_PRESENT : ALWAYS;
        } catch (IllegalArgumentException e) {
            return ALWAYS;
        }
    }

    /** Always (3) > IfNotPresent (2) > Never (1) > unset or unknown (0). */
    static int rank(String policy) {
        if (policy == null) {
            return 0;
        }
        return switch (policy) {
            case ALWAYS -> 3;
            case IF_NOT_PRESENT -> 2;
            case NEVER -> 1;
            default -> 0;
        };
    }

    /**
     * Sets every container's pull policy and inserts the image checks after copy-agent.
     *
     * @throws BuildFailure when an image reference does not parse or a container's pull policy is not one Kubernetes
     *     knows
     */
    static void apply(PodSpec spec, ControllerConfig config, VolumeMount workspaceMount) {
        checkReferences(spec);
        // before a container's policy is copied to its image's check, so the step's container is named, not the check
        for (int i = 0; i < spec.getContainers().size(); i++) {
            Container c = spec.getContainers().get(i);
            String problem = ContainerRules.pullPolicy(c, "spec.template.spec.containers[" + i + "]");
            if (problem != null) {
                throw new BuildFailure("container \"" + c.getName() + "\": " + problem);
            }
        }
        String checkDefault = config.defaultImageCheckPullPolicy();
        String pullDefault = config.defaultImagePullPolicy();
        Map<String, String> checks = new LinkedHashMap<>(); // image -> policy, in order of first appearance
        List<String> finalPolicies = new ArrayList<>(); // by container index
        for (Container c : spec.getContainers()) {
            String own = empty(c.getImagePullPolicy()) ? null : c.getImagePullPolicy();
            String digest = digestRule(c.getImage());
            String nominal = own != null
                    ? own
                    : !checkDefault.isEmpty() ? checkDefault : !pullDefault.isEmpty() ? pullDefault : digest;
            finalPolicies.add(own != null ? own : !pullDefault.isEmpty() ? pullDefault : digest);
            checks.merge(c.getImage(), nominal, (a, b) -> rank(b) > rank(a) ? b : a);
        }
        List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
        // an init container that already pulls the image at least as eagerly makes its check redundant
        checks.entrySet()
                .removeIf(check -> inits.stream()
                        .anyMatch(ic -> check.getKey().equals(ic.getImage())
                                && rank(ic.getImagePullPolicy()) >= rank(check.getValue())));
        boolean skip = config.skipImageCheckContainers();
        for (int i = 0; i < finalPolicies.size(); i++) {
            Container c = spec.getContainers().get(i);
            String policy = finalPolicies.get(i);
            // our fix of the original's quirk: with checks skipped, only copy-agent or an init container has pulled
            boolean pulledJustBefore = !skip && ALWAYS.equals(checks.get(c.getImage()))
                    || inits.stream()
                            .anyMatch(
                                    ic -> c.getImage().equals(ic.getImage()) && ALWAYS.equals(ic.getImagePullPolicy()));
            c.setImagePullPolicy(ALWAYS.equals(policy) && pulledJustBefore ? IF_NOT_PRESENT : policy);
        }
        if (skip || checks.isEmpty()) {
            return;
        }
        List<Container> checkContainers = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, String> check : checks.entrySet()) {
            checkContainers.add(new ContainerBuilder()
                    .withName(PREFIX + n++)
                    .withImage(check.getKey())
                    .withImagePullPolicy(check.getValue())
                    .withCommand(CommandContainers.ENTRYPOINT)
                    .withArgs("--version")
                    .withVolumeMounts(Mounts.concat(List.of(workspaceMount)))
                    .withNewResources()
                    .addToRequests("cpu", new Quantity("100m"))
                    .addToRequests("memory", new Quantity("64Mi"))
                    .addToLimits("cpu", new Quantity(config.imageCheckContainerCpuLimit()))
                    .addToLimits("memory", new Quantity(config.imageCheckContainerMemoryLimit()))
                    .endResources()
                    .build());
        }
        List<Container> all = new ArrayList<>(inits);
        int copyAgent = indexOf(all, SystemContainers.COPY_AGENT);
        all.addAll(copyAgent + 1, checkContainers); // they run tini from the workspace copy-agent fills
        spec.setInitContainers(all);
    }

    /** Every image of the pod must parse; all bad ones are reported together. */
    private static void checkReferences(PodSpec spec) {
        Map<String, String> invalid = new TreeMap<>();
        List<Container> all = new ArrayList<>(spec.getInitContainers() == null ? List.of() : spec.getInitContainers());
        all.addAll(spec.getContainers());
        for (Container c : all) {
            try {
                ImageReference.parse(c.getImage());
            } catch (IllegalArgumentException e) {
                invalid.put(c.getName() == null ? "" : c.getName(), c.getImage() == null ? "" : c.getImage());
            }
        }
        if (invalid.size() == 1) {
            Map.Entry<String, String> e = invalid.entrySet().iterator().next();
            throw new BuildFailure(
                    ImageReference.INVALID + " \"" + e.getValue() + "\" for container \"" + e.getKey() + "\"");
        }
        if (!invalid.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            invalid.forEach((name, image) -> rows.add(List.of(name, image, ImageReference.INVALID)));
            throw new BuildFailure("invalid image references\n\n"
                    + RoundedTable.render(List.of("CONTAINER", "IMAGE REF", "PARSE ERROR"), rows));
        }
    }

    private static int indexOf(List<Container> containers, String name) {
        for (int i = 0; i < containers.size(); i++) {
            if (name.equals(containers.get(i).getName())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
