package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's rules for one container that a plugin podSpec or patch can break, as Kubernetes 1.36 validates a
 * Job's pod template ({@code k8s.io/kubernetes/pkg/apis/core/validation}): env var names and sources, requests within
 * limits, ports, probe grace periods. Each returns the first problem as {@code <field path>: <problem>}, or null; a
 * container Kubernetes accepts has none.
 */
final class ContainerRules {

    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final int MAX_PORT = 65535;

    private ContainerRules() {}

    /** The first problem of container {@code c} at {@code path} (e.g. {@code spec.template.spec.containers[1]}). */
    static String problem(Container c, String path) {
        String p = pullPolicy(c, path);
        if (p == null) {
            p = env(c.getEnv(), path + ".env");
        }
        if (p == null) {
            p = resources(c.getResources(), path + ".resources");
        }
        if (p == null) {
            p = ports(c.getPorts(), path + ".ports");
        }
        if (p == null) {
            p = probes(c, path);
        }
        return p;
    }

    /** imagePullPolicy is Always, IfNotPresent or Never; unset (or empty) is defaulted before validation. */
    static String pullPolicy(Container c, String path) {
        String policy = c.getImagePullPolicy();
        if (policy == null || policy.isEmpty() || PULL_POLICIES.contains(policy)) {
            return null;
        }
        return path + ".imagePullPolicy: \"" + policy + "\" is not supported (Always, IfNotPresent or Never)";
    }

    /**
     * IsRelaxedEnvVarName (GA, and locked on, since Kubernetes 1.34): printable ASCII other than '='. The older rule
     * (a C identifier with '-' and '.') would refuse names that every supported API server accepts.
     */
    static boolean isEnvVarName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 0x20 || ch > 0x7e || ch == '=') {
                return false;
            }
        }
        return true;
    }

    static String env(List<EnvVar> env, String path) {
        for (int i = 0; env != null && i < env.size(); i++) {
            EnvVar e = env.get(i);
            String at = path + "[" + i + "]";
            if (e.getName() != null && !e.getName().isEmpty() && !isEnvVarName(e.getName())) {
                return at + ".name: invalid value \"" + e.getName() + "\": an environment variable name must be"
                        + " printable ASCII characters other than '='";
            }
            String source = valueFromProblem(e);
            if (source != null) {
                return at + ".valueFrom: " + source + " (env var " + e.getName() + ")";
            }
        }
        return null;
    }

    private static String valueFromProblem(EnvVar e) {
        EnvVarSource from = e.getValueFrom();
        if (from == null) {
            return null;
        }
        // a source this model does not know (e.g. fileKeyRef) arrives as an additional property and counts as one
        int sources = (from.getFieldRef() != null ? 1 : 0)
                + (from.getResourceFieldRef() != null ? 1 : 0)
                + (from.getConfigMapKeyRef() != null ? 1 : 0)
                + (from.getSecretKeyRef() != null ? 1 : 0)
                + (from.getAdditionalProperties() == null
                        ? 0
                        : from.getAdditionalProperties().size());
        if (sources == 0) {
            return "must set one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef";
        }
        if (e.getValue() != null && !e.getValue().isEmpty()) {
            return "may not be set when value is not empty";
        }
        if (sources > 1) {
            return "may set only one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef";
        }
        return null;
    }

    /**
     * A request at most its limit where both are set. Extended resources and huge pages cannot be overcommitted: their
     * request must equal the limit, and a request needs one.
     */
    static String resources(ResourceRequirements resources, String path) {
        if (resources == null || resources.getRequests() == null) {
            return null;
        }
        Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
        for (Map.Entry<String, Quantity> request : resources.getRequests().entrySet()) {
            String resource = request.getKey();
            Quantity limit = limits.get(resource);
            if (request.getValue() == null || limit == null) {
                if (request.getValue() != null && !overcommitAllowed(resource)) {
                    return path + ".limits[" + resource + "]: must be set, as " + resource
                            + " cannot be overcommitted (its request is " + request.getValue() + ")";
                }
                continue;
            }
            int cmp = amount(request.getValue()).compareTo(amount(limit));
            String at = path + ".requests[" + resource + "]: " + request.getValue();
            if (cmp != 0 && !overcommitAllowed(resource)) {
                return at + " must equal the " + resource + " limit of " + limit;
            }
            if (cmp > 0) {
                return at + " must be at most the " + resource + " limit of " + limit;
            }
        }
        return null;
    }

    private static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q); // quantities were checked to parse before
    }

    /** IsOvercommitAllowed: a native resource (no domain, or a kubernetes.io one) other than huge pages. */
    private static boolean overcommitAllowed(String resource) {
        boolean nativeResource = !resource.contains("/") || resource.contains("kubernetes.io/");
        return nativeResource && !resource.startsWith("hugepages-");
    }

    static String ports(List<ContainerPort> ports, String path) {
        Set<String> names = new HashSet<>();
        for (int i = 0; ports != null && i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            String at = path + "[" + i + "]";
            String name = port.getName();
            if (name != null && !name.isEmpty()) {
                String problem = portNameProblem(name);
                if (problem != null) {
                    return at + ".name: invalid value \"" + name + "\": " + problem;
                }
                if (!names.add(name)) {
                    return at + ".name: duplicate port name \"" + name + "\"";
                }
            }
            Integer containerPort = port.getContainerPort();
            if (containerPort == null || containerPort == 0) {
                return at + ".containerPort: required";
            }
            if (containerPort < 1 || containerPort > MAX_PORT) {
                return at + ".containerPort: " + containerPort + " must be between 1 and " + MAX_PORT;
            }
            Integer hostPort = port.getHostPort();
            if (hostPort != null && (hostPort < 0 || hostPort > MAX_PORT)) {
                return at + ".hostPort: " + hostPort + " must be between 1 and " + MAX_PORT + " (or 0 for none)";
            }
            // an unset protocol is defaulted to TCP before validation
            if (port.getProtocol() != null
                    && !port.getProtocol().isEmpty()
                    && !PROTOCOLS.contains(port.getProtocol())) {
                return at + ".protocol: \"" + port.getProtocol() + "\" is not supported (TCP, UDP or SCTP)";
            }
        }
        return null;
    }

    /** IsValidPortName (an IANA service name): at most 15 of a-z, 0-9 and '-', a letter, no "--", no '-' at an end. */
    static String portNameProblem(String name) {
        if (name.length() > 15) {
            return "must be no more than 15 characters";
        }
        if (!name.chars().allMatch(ch -> ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-')) {
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        }
        if (name.chars().noneMatch(ch -> ch >= 'a' && ch <= 'z')) {
            return "must contain at least one letter (a-z)";
        }
        if (name.contains("--")) {
            return "must not contain consecutive hyphens";
        }
        if (name.startsWith("-") || name.endsWith("-")) {
            return "must not begin or end with a hyphen";
        }
        return null;
    }

    /** A probe's own grace period overrides the pod's for a restart: positive, and meaningless on a readiness probe. */
    static String probes(Container c, String path) {
        String p = probeGrace(c.getLivenessProbe(), path + ".livenessProbe");
        if (p == null) {
            p = probeGrace(c.getStartupProbe(), path + ".startupProbe");
        }
        if (p == null
                && c.getReadinessProbe() != null
                && c.getReadinessProbe().getTerminationGracePeriodSeconds() != null) {
            p = path + ".readinessProbe.terminationGracePeriodSeconds: must not be set for readiness probes";
        }
        return p;
    }

    private static String probeGrace(Probe probe, String path) {
        Long grace = probe == null ? null : probe.getTerminationGracePeriodSeconds();
        return grace != null && grace <= 0
                ? path + ".terminationGracePeriodSeconds: " + grace + " must be greater than 0"
                : null;
    }
}
