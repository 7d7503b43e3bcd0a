package dev.agentstack.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a Kubernetes API server (1.36) makes on a Job that user input can break (apimachinery and core
 * validation), written out independently of the builder's own checks, so a test can tell whether a built Job would be
 * accepted.
 */
public final class ApiServerRules {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** IsRelaxedEnvVarName: printable ASCII other than '=' (GA in 1.34). */
    private static final Pattern RELAXED_ENV_NAME = Pattern.compile("[\\x20-\\x3c\\x3e-\\x7e]+");
    /** IsValidPortName, less its length and "--" rules: a-z, 0-9, '-', a letter, no '-' at either end. */
    private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final int MAX_ANNOTATION_BYTES = 256 * 1024;

    private ApiServerRules() {}

    /** What the API server would refuse in this Job; empty when it would accept it. */
    public static List<String> violations(Job job) {
        List<String> out = new ArrayList<>();
        String name = job.getMetadata().getName();
        if (name == null || name.length() > 63 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            out.add("Job name " + name + " (a DNS subdomain of at most 63 characters: it is the job-name label value)");
        }
        labels(job.getMetadata().getLabels(), out);
        labels(job.getSpec().getTemplate().getMetadata().getLabels(), out);
        annotations(job.getMetadata().getAnnotations(), out);
        annotations(job.getSpec().getTemplate().getMetadata().getAnnotations(), out);
        pod(job.getSpec().getTemplate().getSpec(), out);
        return out;
    }

    private static void labels(Map<String, String> labels, List<String> out) {
        orEmpty(labels).forEach((k, v) -> {
            qualifiedName(k, "label key", out);
            if (v == null
                    || !(v.isEmpty()
                            || v.length() <= 63
                                    && QUALIFIED_NAME_PART.matcher(v).matches())) {
                out.add("label value " + k + "=" + v);
            }
        });
    }

    private static void annotations(Map<String, String> annotations, List<String> out) {
        int bytes = 0;
        for (Map.Entry<String, String> e : orEmpty(annotations).entrySet()) {
            qualifiedName(e.getKey(), "annotation key", out);
            bytes += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + (e.getValue() == null
                            ? 0
                            : e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        if (bytes > MAX_ANNOTATION_BYTES) {
            out.add("annotations are " + bytes + " bytes");
        }
    }

    private static void qualifiedName(String key, String what, List<String> out) {
        String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
        if (key.contains("/")) {
            String prefix = key.substring(0, key.indexOf('/'));
            if (!DNS_SUBDOMAIN.matcher(prefix).matches() || prefix.length() > 253) {
                out.add(what + " prefix " + key);
            }
        }
        if (name.length() > 63 || !QUALIFIED_NAME_PART.matcher(name).matches()) {
            out.add(what + " " + key);
        }
    }

    private static void pod(PodSpec spec, List<String> out) {
        Set<String> volumes = new HashSet<>();
        for (Volume v : orEmpty(spec.getVolumes())) {
            if (v.getName() == null
                    || !DNS_LABEL.matcher(v.getName()).matches()
                    || v.getName().length() > 63) {
                out.add("volume name " + v.getName());
            }
            if (!volumes.add(v.getName())) {
                out.add("volume " + v.getName() + " is not unique");
            }
        }
        List<Container> all = new ArrayList<>(orEmpty(spec.getInitContainers()));
        all.addAll(orEmpty(spec.getContainers()));
        Set<String> names = new HashSet<>();
        for (Container c : all) {
            if (c.getName() == null
                    || !DNS_LABEL.matcher(c.getName()).matches()
                    || c.getName().length() > 63) {
                out.add("container name " + c.getName());
            }
            if (!names.add(c.getName())) {
                out.add("container name " + c.getName() + " is not unique");
            }
            if (c.getImage() == null || c.getImage().isBlank()) {
                out.add(c.getName() + " has no image");
            }
            if (c.getImagePullPolicy() != null && !PULL_POLICIES.contains(c.getImagePullPolicy())) {
                out.add(c.getName() + " pull policy " + c.getImagePullPolicy());
            }
            Set<String> paths = new HashSet<>();
            for (VolumeMount m : orEmpty(c.getVolumeMounts())) {
                if (!volumes.contains(m.getName())) {
                    out.add(c.getName() + " mounts " + m.getName() + ", which is not a volume of the pod");
                }
                if (!paths.add(m.getMountPath())) {
                    out.add(c.getName() + " mount path " + m.getMountPath() + " is not unique");
                }
            }
            quantities(c, c.getResources(), out);
            for (EnvVar e : orEmpty(c.getEnv())) {
                if (e.getName() == null || e.getName().isEmpty()) {
                    out.add(c.getName() + " has an env var without a name");
                }
                if ("BUILDKITE_AGENT_TOKEN".equals(e.getName())) {
                    if (!"agent".equals(c.getName())) {
                        out.add("container " + c.getName() + " has the agent token (only the agent container may)");
                    }
                    if (e.getValue() != null
                            || e.getValueFrom() == null
                            || e.getValueFrom().getSecretKeyRef() == null) {
                        out.add("the agent token is not taken from a Secret");
                    }
                }
            }
        }
        if (orEmpty(spec.getContainers()).stream().noneMatch(c -> "agent".equals(c.getName()))) {
            out.add("no agent container");
        }
        // batch validation: a Job's pod is Never or OnFailure (unset is defaulted to Always first)
        if (!Set.of("Never", "OnFailure").contains(String.valueOf(spec.getRestartPolicy()))) {
            out.add("restartPolicy " + spec.getRestartPolicy());
        }
        Long deadline = spec.getActiveDeadlineSeconds();
        if (deadline != null && (deadline < 1 || deadline > Integer.MAX_VALUE)) {
            out.add("pod activeDeadlineSeconds " + deadline);
        }
        for (Container c : all) {
            containerRules(c, out);
        }
    }

    /** Env names and sources, requests within limits, ports, probe grace periods (core validation, 1.36). */
    private static void containerRules(Container c, List<String> out) {
        for (EnvVar e : orEmpty(c.getEnv())) {
            if (e.getName() != null && !RELAXED_ENV_NAME.matcher(e.getName()).matches()) {
                out.add(c.getName() + " env name " + e.getName());
            }
            if (e.getValueFrom() != null) {
                io.fabric8.kubernetes.api.model.EnvVarSource f = e.getValueFrom();
                long sources = java.util.stream.Stream.of(
                                        f.getFieldRef(),
                                        f.getResourceFieldRef(),
                                        f.getConfigMapKeyRef(),
                                        f.getSecretKeyRef())
                                .filter(java.util.Objects::nonNull)
                                .count()
                        + f.getAdditionalProperties().size();
                if (sources != 1 || e.getValue() != null && !e.getValue().isEmpty()) {
                    out.add(c.getName() + " env " + e.getName() + " valueFrom with " + sources + " source(s)");
                }
            }
        }
        ResourceRequirements r = c.getResources();
        if (r != null) {
            orEmpty(r.getRequests()).forEach((name, request) -> {
                Quantity limit = orEmpty(r.getLimits()).get(name);
                boolean overcommit =
                        (!name.contains("/") || name.contains("kubernetes.io/")) && !name.startsWith("hugepages-");
                if (limit == null
                        ? !overcommit
                        : parses(request)
                                && parses(limit)
                                && (overcommit
                                        ? Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit))
                                                > 0
                                        : Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit))
                                                != 0)) {
                    out.add(c.getName() + " request " + name + "=" + request + " against limit " + limit);
                }
            });
        }
        Set<String> portNames = new HashSet<>();
        for (io.fabric8.kubernetes.api.model.ContainerPort port : orEmpty(c.getPorts())) {
            if (port.getName() != null
                    && !port.getName().isEmpty()
                    && (port.getName().length() > 15
                            || !PORT_NAME.matcher(port.getName()).matches()
                            || port.getName().contains("--")
                            || !portNames.add(port.getName()))) {
                out.add(c.getName() + " port name " + port.getName());
            }
            int number = port.getContainerPort() == null ? 0 : port.getContainerPort();
            int host = port.getHostPort() == null ? 0 : port.getHostPort();
            if (number < 1 || number > 65535 || host < 0 || host > 65535) {
                out.add(c.getName() + " port " + number + " host port " + host);
            }
            if (port.getProtocol() != null && !Set.of("TCP", "UDP", "SCTP").contains(port.getProtocol())) {
                out.add(c.getName() + " protocol " + port.getProtocol());
            }
        }
        for (io.fabric8.kubernetes.api.model.Probe probe :
                java.util.Arrays.asList(c.getLivenessProbe(), c.getStartupProbe())) {
            if (probe != null
                    && probe.getTerminationGracePeriodSeconds() != null
                    && probe.getTerminationGracePeriodSeconds() <= 0) {
                out.add(c.getName() + " probe terminationGracePeriodSeconds");
            }
        }
        if (c.getReadinessProbe() != null && c.getReadinessProbe().getTerminationGracePeriodSeconds() != null) {
            out.add(c.getName() + " readiness probe terminationGracePeriodSeconds");
        }
    }

    private static boolean parses(Quantity q) {
        try {
            Quantity.getAmountInBytes(q);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void quantities(Container c, ResourceRequirements resources, List<String> out) {
        if (resources == null) {
            return;
        }
        List<Quantity> all = new ArrayList<>(orEmpty(resources.getRequests()).values());
        all.addAll(orEmpty(resources.getLimits()).values());
        for (Quantity q : all) {
            try {
                Quantity.getAmountInBytes(q);
            } catch (RuntimeException e) {
                out.add(c.getName() + " quantity " + q + " does not parse");
            }
        }
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }
}
