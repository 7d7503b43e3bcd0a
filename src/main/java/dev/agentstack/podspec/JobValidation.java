package dev.agentstack.podspec;

import dev.agentstack.config.KubernetesNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's checks that user input can break, made before the Job is posted so the job fails with a clear
 * reason instead of a 422: names, unique container and volume names, mounts of existing volumes, env vars with
 * names, quantities, annotation size.
 */
final class JobValidation {

    private JobValidation() {
    }

    static void check(Job job) {
        String name = job.getMetadata().getName();
        if (!KubernetesNames.isDnsSubdomain(name) || name.length() > 63) {
            throw new BuildFailure("Job name \"" + name + "\" is not a valid name (job-prefix + uuid must be a"
                    + " lower-case DNS label of at most 63 characters)");
        }
        for (Map<String, String> labels : List.of(orEmpty(job.getMetadata().getLabels()),
                orEmpty(job.getSpec().getTemplate().getMetadata().getLabels()))) {
            labels.forEach((k, v) -> {
                // plugin labels were checked with their path already; this catches the ones made from job data
                String problem = KubernetesNames.qualifiedNameProblem(k);
                String valueProblem = KubernetesNames.labelValueProblem(v);
                if (problem != null || valueProblem != null) {
                    throw new BuildFailure("label " + k + "=\"" + v + "\": " + (problem != null ? "key " + problem
                            : "value " + valueProblem));
                }
            });
        }
        int annotationBytes = job.getMetadata().getAnnotations().entrySet().stream()
                .mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
        if (annotationBytes > KubernetesNames.MAX_ANNOTATIONS_BYTES) {
            throw new BuildFailure("annotations are " + annotationBytes + " bytes; Kubernetes allows "
                    + KubernetesNames.MAX_ANNOTATIONS_BYTES);
        }
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        Set<String> volumes = new HashSet<>();
        for (Volume v : orEmpty(spec.getVolumes())) {
            if (!KubernetesNames.isDnsLabel(v.getName())) {
                throw new BuildFailure("volume name \"" + v.getName()
                        + "\" is not a valid name (a lower-case DNS label)");
            }
            if (!volumes.add(v.getName())) {
                throw new BuildFailure("duplicate volume name \"" + v.getName() + "\"");
            }
        }
        if (orEmpty(spec.getContainers()).stream().noneMatch(c -> SystemContainers.AGENT.equals(c.getName()))) {
            // e.g. podSpecPatch {containers: null}, which a strategic merge patch reads as "delete the list"
            throw new BuildFailure("the pod has no \"" + SystemContainers.AGENT + "\" container, which runs the job:"
                    + " a podSpecPatch must not remove it");
        }
        List<Container> all = new ArrayList<>(orEmpty(spec.getInitContainers()));
        all.addAll(orEmpty(spec.getContainers()));
        Set<String> names = new HashSet<>();
        for (Container c : all) {
            if (!KubernetesNames.isDnsLabel(c.getName())) {
                throw new BuildFailure("container name \"" + (c.getName() == null ? "" : c.getName())
                        + "\" is not a valid name (a lower-case DNS label)");
            }
            if (!names.add(c.getName())) {
                throw new BuildFailure("duplicate container name \"" + c.getName() + "\" (agent, checkout, copy-agent,"
                        + " imagecheck-N and container-N are the controller's names)");
            }
            for (VolumeMount m : orEmpty(c.getVolumeMounts())) {
                if (!volumes.contains(m.getName())) {
                    throw new BuildFailure("container \"" + c.getName() + "\" mounts volume \"" + m.getName()
                            + "\" at " + m.getMountPath() + ", but the pod has no such volume");
                }
            }
            List<EnvVar> env = orEmpty(c.getEnv());
            for (int i = 0; i < env.size(); i++) {
                if (env.get(i).getName() == null || env.get(i).getName().isEmpty()) {
                    throw new BuildFailure("container \"" + c.getName() + "\": env[" + i + "] has no name");
                }
            }
            checkQuantities(c.getName(), c.getResources());
        }
    }

    private static void checkQuantities(String container, ResourceRequirements resources) {
        if (resources == null) {
            return;
        }
        for (Map<String, Quantity> quantities
                : List.of(orEmpty(resources.getRequests()), orEmpty(resources.getLimits()))) {
            quantities.forEach((resource, q) -> {
                if (q == null) {
                    throw new BuildFailure("container \"" + container + "\": " + resource
                            + " has no quantity (e.g. 500m, 2, 1Gi)");
                }
                try {
                    Quantity.getAmountInBytes(q);
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new BuildFailure("container \"" + container + "\": " + resource + " quantity \"" + q
                            + "\" does not parse (e.g. 500m, 2, 1Gi)");
                }
            });
        }
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }
}
