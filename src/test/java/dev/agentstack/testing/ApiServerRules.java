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
 * The checks a Kubernetes API server makes on a Job that user input can break (apimachinery validation), written out
 * independently of the builder's own checks, so a test can tell whether a built Job would be accepted.
 */
public final class ApiServerRules {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final int MAX_ANNOTATION_BYTES = 256 * 1024;

    private ApiServerRules() {
    }

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
            if (v == null || !(v.isEmpty() || v.length() <= 63 && QUALIFIED_NAME_PART.matcher(v).matches())) {
                out.add("label value " + k + "=" + v);
            }
        });
    }

    private static void annotations(Map<String, String> annotations, List<String> out) {
        int bytes = 0;
        for (Map.Entry<String, String> e : orEmpty(annotations).entrySet()) {
            qualifiedName(e.getKey(), "annotation key", out);
            bytes += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + (e.getValue() == null ? 0
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
            if (v.getName() == null || !DNS_LABEL.matcher(v.getName()).matches() || v.getName().length() > 63) {
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
            if (c.getName() == null || !DNS_LABEL.matcher(c.getName()).matches() || c.getName().length() > 63) {
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
                    if (e.getValue() != null || e.getValueFrom() == null
                            || e.getValueFrom().getSecretKeyRef() == null) {
                        out.add("the agent token is not taken from a Secret");
                    }
                }
            }
        }
        if (orEmpty(spec.getContainers()).stream().noneMatch(c -> "agent".equals(c.getName()))) {
            out.add("no agent container");
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
