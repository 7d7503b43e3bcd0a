package dev.agentstack.podspec;

import dev.agentstack.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's checks that user input can break, made before the Job is posted so the job fails with a clear
 * reason instead of a 422: names, unique container and volume names, mounts of existing volumes, env vars with
 * names, quantities, annotation size, a restart policy a Job allows, deadlines, and each container's
 * {@link ContainerRules}. Follows the API server's own validation (Kubernetes 1.36), never a stricter guess.
 */
final class JobValidation {

    /** The pod spec's field path in the Job, as the API server's messages give it. */
    static final String POD = "spec.template.spec";

    private JobValidation() {}

    static void check(Job job) {
        String name = job.getMetadata().getName();
        if (!KubernetesNames.isDnsSubdomain(name) || name.length() > 63) {
            throw new BuildFailure("Job name \"" + name + "\" is not a valid name (job-prefix + uuid must be a"
                    + " lower-case DNS label of at most 63 characters)");
        }
        for (Map<String, String> labels : List.of(
                orEmpty(job.getMetadata().getLabels()),
                orEmpty(job.getSpec().getTemplate().getMetadata().getLabels()))) {
            labels.forEach((k, v) -> {
                // plugin labels were checked with their path already; this catches the ones made from job data
                String problem = KubernetesNames.qualifiedNameProblem(k);
                String valueProblem = KubernetesNames.labelValueProblem(v);
                if (problem != null || valueProblem != null) {
                    throw new BuildFailure("label " + k + "=\"" + v + "\": "
                            + (problem != null ? "key " + problem : "value " + valueProblem));
                }
            });
        }
        int annotationBytes = job.getMetadata().getAnnotations().entrySet().stream()
                .mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().getBytes(StandardCharsets.UTF_8).length)
                .sum();
        if (annotationBytes > KubernetesNames.MAX_ANNOTATIONS_BYTES) {
            throw new BuildFailure("annotations are " + annotationBytes + " bytes; Kubernetes allows "
                    + KubernetesNames.MAX_ANNOTATIONS_BYTES);
        }
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        Set<String> volumes = new HashSet<>();
        for (Volume v : orEmpty(spec.getVolumes())) {
            if (!KubernetesNames.isDnsLabel(v.getName())) {
                throw new BuildFailure(
                        "volume name \"" + v.getName() + "\" is not a valid name (a lower-case DNS label)");
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
        Set<String> names = new HashSet<>();
        List<Container> init = orEmpty(spec.getInitContainers());
        for (int i = 0; i < init.size(); i++) {
            checkContainer(init.get(i), POD + ".initContainers[" + i + "]", names, volumes);
        }
        List<Container> containers = orEmpty(spec.getContainers());
        for (int i = 0; i < containers.size(); i++) {
            checkContainer(containers.get(i), POD + ".containers[" + i + "]", names, volumes);
        }
        checkPod(job, spec);
    }

    /** The pod-level rules: a Job's pod must end (it never restarts Always) and deadlines must be positive. */
    private static void checkPod(Job job, PodSpec spec) {
        String restartPolicy = spec.getRestartPolicy();
        if (!"Never".equals(restartPolicy) && !"OnFailure".equals(restartPolicy)) {
            throw new BuildFailure(
                    POD + ".restartPolicy: " + (restartPolicy == null ? "unset (Always)" : "\"" + restartPolicy + "\"")
                            + " is not supported for a Job's pod (Never or OnFailure)");
        }
        Long podDeadline = spec.getActiveDeadlineSeconds();
        if (podDeadline != null && (podDeadline < 1 || podDeadline > Integer.MAX_VALUE)) {
            throw new BuildFailure(
                    POD + ".activeDeadlineSeconds: " + podDeadline + " must be between 1 and " + Integer.MAX_VALUE);
        }
        Long jobDeadline = job.getSpec().getActiveDeadlineSeconds();
        if (jobDeadline != null && jobDeadline < 0) {
            throw new BuildFailure("spec.activeDeadlineSeconds: " + jobDeadline + " must be at least 0");
        }
        // A negative terminationGracePeriodSeconds is accepted (with a warning) and treated as 1: not refused here.
    }

    private static void checkContainer(Container c, String path, Set<String> names, Set<String> volumes) {
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
                throw new BuildFailure("container \"" + c.getName() + "\" mounts volume \"" + m.getName() + "\" at "
                        + m.getMountPath() + ", but the pod has no such volume");
            }
        }
        List<EnvVar> env = orEmpty(c.getEnv());
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).getName() == null || env.get(i).getName().isEmpty()) {
                throw new BuildFailure("container \"" + c.getName() + "\": env[" + i + "] has no name");
            }
        }
        checkQuantities(c.getName(), c.getResources());
        String problem = ContainerRules.problem(c, path);
        if (problem != null) {
            throw new BuildFailure("container \"" + c.getName() + "\": " + problem);
        }
    }

    private static void checkQuantities(String container, ResourceRequirements resources) {
        if (resources == null) {
            return;
        }
        for (Map<String, Quantity> quantities :
                List.of(orEmpty(resources.getRequests()), orEmpty(resources.getLimits()))) {
            quantities.forEach((resource, q) -> {
                if (q == null) {
                    throw new BuildFailure(
                            "container \"" + container + "\": " + resource + " has no quantity (e.g. 500m, 2, 1Gi)");
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
