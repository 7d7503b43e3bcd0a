package dev.agentstack.podspec.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstack.kubernetes.KubernetesNames;
import dev.agentstack.podspec.KubernetesPlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The rules on what a step itself asks for in its kubernetes plugin, read from the plugin rather than the final pod,
 * so that the same field set by the admin (pod-spec-patch, a PodTemplate) stays allowed: a service account outside
 * allowed-service-accounts, a node, a shared process namespace, the image or commands of a container the controller
 * owns, reserved labels and annotations, and a longer deadline than max-job-active-deadline-seconds.
 */
final class StepRules {

    static final List<String> RESERVED_PREFIXES = List.of("buildkite.com", "agent-stack-camel.dev");
    /** Fields besides command and args that run commands in a container, with its environment (the agent token). */
    static final String ENDPOINT_ENV = "BUILDKITE_AGENT_ENDPOINT";

    static final List<String> COMMAND_FIELDS = List.of("lifecycle", "livenessProbe", "readinessProbe", "startupProbe");

    private StepRules() {}

    /** The service account the step asks for (podSpecPatch over podSpec), or null. */
    static String serviceAccount(KubernetesPlugin plugin) {
        String fromPatch = patchText(plugin, "serviceAccountName", "serviceAccount");
        if (fromPatch != null) {
            return fromPatch;
        }
        if (plugin.podSpec() == null) {
            return null;
        }
        String name = plugin.podSpec().getServiceAccountName();
        return name != null && !name.isEmpty()
                ? name
                : emptyToNull(plugin.podSpec().getServiceAccount());
    }

    /** Whether the step asks for the service-account token to be mounted. */
    static boolean asksForToken(KubernetesPlugin plugin) {
        JsonNode patch = plugin.podSpecPatch() == null
                ? null
                : plugin.podSpecPatch().json().get("automountServiceAccountToken");
        if (patch != null && !patch.isNull()) {
            return patch.asBoolean();
        }
        return plugin.podSpec() != null && Boolean.TRUE.equals(plugin.podSpec().getAutomountServiceAccountToken());
    }

    /**
     * @param agentContainer the container that holds the agent token
     * @param allowCommands  allow-pod-spec-patch-unsafe-command-modification, which lets the step run its own commands
     *                       in the controller's containers
     */
    static List<Violation> check(
            KubernetesPlugin plugin,
            List<String> allowedServiceAccounts,
            int maxDeadlineSeconds,
            Predicate<String> controllerContainer,
            String agentContainer,
            boolean allowCommands) {
        List<Violation> found = new ArrayList<>();
        if (asksToShareProcesses(plugin)) {
            // with one process namespace, the step's container can read the agent's environment, and its token
            found.add(PodField.SPEC
                    .field("shareProcessNamespace")
                    .violation(
                            "share-process-namespace",
                            "is true: the step's containers could read the agent container's token",
                            true));
        }
        String account = serviceAccount(plugin);
        if (account != null && !allowedServiceAccounts.contains(account)) {
            found.add(PodField.SPEC
                    .field("serviceAccountName")
                    .violation(
                            "service-account",
                            "is " + account + ", which allowed-service-accounts " + allowedServiceAccounts
                                    + " does not list",
                            account));
        }
        if (asksForToken(plugin) && (account == null || !allowedServiceAccounts.contains(account))) {
            found.add(PodField.SPEC
                    .field("automountServiceAccountToken")
                    .violation(
                            "service-account",
                            "is true, but only a step with an account of allowed-service-accounts gets a token",
                            true));
        }
        String node = patchText(plugin, "nodeName");
        if (node == null && plugin.podSpec() != null) {
            node = emptyToNull(plugin.podSpec().getNodeName());
        }
        if (node != null) {
            found.add(PodField.SPEC
                    .field("nodeName")
                    .violation(
                            "node-name",
                            "is " + node + ": a step may not choose its node (use nodeSelector or affinity)",
                            node));
        }
        if (plugin.podSpecPatch() != null) {
            ObjectNode patch = plugin.podSpecPatch().json();
            for (String list : List.of("containers", "initContainers")) {
                JsonNode items = patch.get(list);
                for (int i = 0; items != null && items.isArray() && i < items.size(); i++) {
                    JsonNode item = items.get(i);
                    String name = item.path("name").asText("");
                    if (!controllerContainer.test(name)) {
                        continue;
                    }
                    String at = "podSpecPatch." + list + "[" + i + "].";
                    if (item.has("image")) {
                        found.add(new Violation(
                                "protected-container",
                                at + "image",
                                "changes the image of the controller's " + name + " container",
                                "protected-container " + name));
                    }
                    if (name.equals(agentContainer) && redirectsTheAgent(item)) {
                        found.add(new Violation(
                                "protected-container",
                                at + (item.has("envFrom") ? "envFrom" : "env"),
                                "points the " + name + " container, which holds the agent token, at another"
                                        + " Buildkite endpoint (" + ENDPOINT_ENV + ", or envFrom)",
                                "protected-container endpoint"));
                    }
                    for (String runs : COMMAND_FIELDS) {
                        if (item.has(runs) && !allowCommands) {
                            found.add(new Violation(
                                    "protected-container",
                                    at + runs,
                                    "runs a command of the step's in" + " the controller's " + name + " container",
                                    "protected-container " + name));
                        }
                    }
                }
            }
        }
        reserved(plugin.metadata().labels(), "labels", found);
        reserved(plugin.metadata().annotations(), "annotations", found);
        Integer deadline = plugin.jobActiveDeadlineSeconds();
        if (maxDeadlineSeconds > 0 && deadline != null && deadline > maxDeadlineSeconds) {
            found.add(new Violation(
                    "max-job-active-deadline-seconds",
                    "jobActiveDeadlineSeconds",
                    "is " + deadline + ", more than the " + maxDeadlineSeconds
                            + " max-job-active-deadline-seconds allows",
                    "max-job-active-deadline-seconds " + deadline));
        }
        return found;
    }

    /** The agent sends its token to its endpoint: a step may not choose it, directly or through envFrom. */
    private static boolean redirectsTheAgent(JsonNode patchItem) {
        if (patchItem.has("envFrom")) {
            return true;
        }
        for (JsonNode env : patchItem.path("env")) {
            if (ENDPOINT_ENV.equals(env.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean asksToShareProcesses(KubernetesPlugin plugin) {
        JsonNode patch = plugin.podSpecPatch() == null
                ? null
                : plugin.podSpecPatch().json().get("shareProcessNamespace");
        if (patch != null && patch.asBoolean(false)) {
            return true;
        }
        return plugin.podSpec() != null && Boolean.TRUE.equals(plugin.podSpec().getShareProcessNamespace());
    }

    /** The podTemplate a step names must be a valid object name, checked before anything looks it up. */
    static Violation podTemplateName(String name) {
        if (name == null || name.isEmpty() || KubernetesNames.isDnsSubdomain(name) && name.length() <= 253) {
            return null;
        }
        return new Violation(
                "pod-template-name",
                "podTemplate",
                "is \"" + name + "\", not a PodTemplate name (a lower-case DNS-1123 subdomain)",
                "pod-template-name " + name);
    }

    private static void reserved(Map<String, String> entries, String field, List<Violation> found) {
        for (String key : entries.keySet()) {
            int slash = key.indexOf('/');
            String prefix = slash < 0 ? "" : key.substring(0, slash);
            for (String reserved : RESERVED_PREFIXES) {
                if (prefix.equals(reserved) || prefix.endsWith("." + reserved)) {
                    found.add(new Violation(
                            "reserved-metadata",
                            "metadata." + field + "[\"" + key + "\"]",
                            "uses the prefix " + prefix + "/, which the controller reserves for itself",
                            "reserved-metadata " + key));
                }
            }
        }
    }

    private static String patchText(KubernetesPlugin plugin, String... fields) {
        if (plugin.podSpecPatch() == null) {
            return null;
        }
        for (String field : fields) {
            JsonNode v = plugin.podSpecPatch().json().get(field);
            if (v != null && v.isTextual() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
