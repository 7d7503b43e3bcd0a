package dev.agentstack.podspec;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.podspec.policy.PodPolicy;
import dev.agentstack.podspec.policy.Violation;
import dev.agentstack.runtime.Version;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a Buildkite job into the Kubernetes Job that runs it: a pure function of the job, the controller's
 * configuration and (for {@code podTemplate}) a template lookup. Invalid input gives {@link BuildResult.Failed} with
 * the reason; nothing throws and nothing invalid reaches the API server.
 *
 * <p>The pod ({@code agent-stack-k8s} v0.47 layout, agent {@code kubernetes-bootstrap} mode):
 * <pre>
 * initContainers: copy-agent, imagecheck-0.., user init containers.., sidecars (native, restartPolicy Always)
 * containers:     container-0.. (the job's command), agent (holds the token, acquires the job), checkout
 * </pre>
 * Build order, which sets the precedence: base pod spec (plugin podSpec, else podTemplate, else empty) -> metadata
 * -> volumes -> command containers -> sidecars -> agent, checkout -> copy-agent -> controller pod-spec-patch -> the
 * step's image: -> plugin podSpecPatch -> checkout removed when skipped -> mounts deduplicated by path -> image
 * checks and pull policies from the final containers -> the pod policy's additions (job service account, restricted
 * securityContext) -> validation -> the pod policy's checks.
 */
public final class PodSpecBuilder {

    public static final String WORKSPACE_VOLUME = "workspace";

    private final ControllerConfig config;
    private final PodTemplateLookup podTemplates;

    /** A builder without a cluster: a step that names a podTemplate fails. */
    public PodSpecBuilder(ControllerConfig config) {
        this(config, PodTemplateLookup.OFFLINE);
    }

    public PodSpecBuilder(ControllerConfig config, PodTemplateLookup podTemplates) {
        this.config = config;
        this.podTemplates = podTemplates;
    }

    /** What the scheduling route calls for each job. */
    public BuildResult build(BuildkiteJob job) {
        return build(job, config, podTemplates);
    }

    /**
     * What the scheduling route calls for each job: its Job, or {@link JobCannotRunException} with the reason for the
     * job's log (the route fails the job in Buildkite in its doCatch).
     */
    public Job jobFor(BuildkiteJob job) {
        BuildResult result = build(job);
        if (!result.valid()) {
            throw new JobCannotRunException(result.reason());
        }
        return result.job();
    }

    public static BuildResult build(BuildkiteJob job, ControllerConfig config) {
        return build(job, config, PodTemplateLookup.OFFLINE);
    }

    public static BuildResult build(BuildkiteJob job, ControllerConfig config, PodTemplateLookup podTemplates) {
        try {
            return new BuildResult.Built(assemble(job, config, podTemplates, Version.get()));
        } catch (BuildFailure e) {
            return new BuildResult.Failed(e.getMessage());
        } catch (RuntimeException e) {
            // a bug, not bad input: still never crash the route or post a half-built Job
            return new BuildResult.Failed("agent-stack-camel could not build the Job: " + e);
        }
    }

    /** The Job name: deterministic, so a second create for the same job is refused with 409 by the API server. */
    public static String jobName(String prefix, String uuid) {
        return prefix + uuid;
    }

    /** The Job name with the default prefix. */
    public static String jobName(String uuid) {
        return jobName(dev.agentstack.config.Options.DEFAULT_JOB_PREFIX, uuid);
    }

    static Job assemble(BuildkiteJob job, ControllerConfig config, PodTemplateLookup podTemplates, String version) {
        PodPolicy policy = PodPolicy.of(config, SystemContainers.AGENT, SystemContainers.TOKEN_KEY);
        JobInputs in = inputs(job, config, podTemplates, version, policy);
        Job k8sJob = assemble(in, policy);
        List<Violation> onPod = podViolations(k8sJob, policy);
        if (!onPod.isEmpty()) {
            Set<String> admins = adminsFindings(in, policy);
            onPod.removeIf(v -> admins.contains(v.key()));
        }
        List<Violation> refused = new ArrayList<>(policy.stepViolations(in.plugin(), PodSpecBuilder::isOurs));
        refused.addAll(onPod);
        if (!refused.isEmpty()) {
            throw new BuildFailure(policy.reason(refused));
        }
        return k8sJob;
    }

    /**
     * What the pod the admin's settings alone give this job breaks (the job without the step's plugin and image): the
     * admin's own pod-spec-patch or PodTemplate may set what a step may not, so those findings are not the step's.
     */
    private static Set<String> adminsFindings(JobInputs in, PodPolicy policy) {
        try {
            return podViolations(assemble(in.adminOnly(), policy), policy).stream()
                    .map(Violation::key)
                    .collect(Collectors.toSet());
        } catch (BuildFailure e) {
            return Set.of();
        }
    }

    private static List<Violation> podViolations(Job job, PodPolicy policy) {
        PodTemplateSpec template = job.getSpec().getTemplate();
        return new ArrayList<>(policy.podViolations(
                template.getSpec(),
                template.getMetadata().getAnnotations(),
                name -> name != null && name.startsWith(ImageChecks.PREFIX)));
    }

    /** The containers the controller makes and owns: a step may not change their image or command. */
    static boolean isOurs(String container) {
        return SystemContainers.AGENT.equals(container)
                || SystemContainers.CHECKOUT.equals(container)
                || SystemContainers.COPY_AGENT.equals(container)
                || container != null && container.startsWith(ImageChecks.PREFIX);
    }

    private static Job assemble(JobInputs in, PodPolicy policy) {
        BuildkiteJob job = in.job();
        ControllerConfig config = in.config();
        JobMetadata.checkPluginMetadata(in.plugin().metadata());
        Map<String, String> labels = JobMetadata.labels(in);

        PodSpec spec = PodSpecJson.copy(in.base());
        spec.setTerminationGracePeriodSeconds((long) in.terminationGracePeriodSeconds());
        List<Volume> volumes = new ArrayList<>(orEmpty(spec.getVolumes()));
        volumes.add(workspaceVolume(config));
        if (in.agentConfig() != null) {
            in.agentConfig().volumes().forEach(v -> volumes.add(new VolumeBuilder(v).build()));
        }

        List<Container> containers = CommandContainers.build(in);
        int containerCount = containers.size() + in.firstCommandId();
        List<Container> sidecars = CommandContainers.sidecars(in);
        ResourceClasses.apply(spec, containers, job, config);
        containers.add(SystemContainers.agent(in, containerCount));
        if (!in.skipCheckout()) {
            containers.add(SystemContainers.checkout(in));
            volumes.addAll(SystemContainers.checkoutVolumes(in));
        }
        List<Container> initContainers = new ArrayList<>();
        initContainers.add(SystemContainers.copyAgent(in));
        initContainers.addAll(orEmpty(spec.getInitContainers()));
        initContainers.addAll(sidecars);
        spec.setVolumes(volumes);
        spec.setContainers(containers);
        spec.setInitContainers(initContainers);
        spec.setRestartPolicy("Never");

        PodSpecPatch controllerPatch = PodSpecPatch.of(config.podSpecPatch());
        if (controllerPatch != null) {
            spec = PodSpecPatcher.apply(spec, controllerPatch, PodSpecPatcher.FROM_CONTROLLER, in);
        }
        PodSpecPatch queuePatch = PodSpecPatch.of(config.queuePodSpecPatch());
        if (queuePatch != null) {
            spec = PodSpecPatcher.apply(spec, queuePatch, PodSpecPatcher.FROM_CONTROLLER, in);
        }
        String image = in.envValue("BUILDKITE_IMAGE");
        if (!image.isEmpty()) {
            spec.getContainers().stream()
                    .filter(CommandContainers::isCommandContainer)
                    .forEach(c -> c.setImage(image));
        }
        if (in.plugin().podSpecPatch() != null) {
            spec = PodSpecPatcher.apply(spec, in.plugin().podSpecPatch(), PodSpecPatcher.FROM_PLUGIN, in);
        }
        if (in.skipCheckout()) {
            spec.setContainers(new ArrayList<>(orEmpty(spec.getContainers()).stream()
                    .filter(c -> !SystemContainers.CHECKOUT.equals(c.getName()))
                    .toList()));
        }
        spec.setContainers(new ArrayList<>(orEmpty(spec.getContainers())));
        for (Container c : orEmpty(spec.getInitContainers())) {
            c.setVolumeMounts(Mounts.firstPerPath(c.getVolumeMounts()));
        }
        for (Container c : spec.getContainers()) {
            c.setVolumeMounts(Mounts.firstPerPath(c.getVolumeMounts()));
        }
        ImageChecks.apply(spec, config, in.workspaceMount());
        policy.prepare(spec, in.plugin(), in.adminSetsServiceAccount());

        Integer pluginDeadline = in.plugin().jobActiveDeadlineSeconds();
        Map<String, String> annotations = JobMetadata.annotations(in, sidecars);
        // Plain model objects around the finished spec: fabric8's nested builders would deep-copy it three times,
        // which was a fifth of the controller's CPU per job in the benchmark.
        PodTemplateSpec template = new PodTemplateSpec(
                new ObjectMetaBuilder()
                        .withLabels(new LinkedHashMap<>(labels))
                        .withAnnotations(new LinkedHashMap<>(annotations))
                        .build(),
                spec);
        JobSpec jobSpec = new JobSpec();
        jobSpec.setBackoffLimit(0);
        jobSpec.setTtlSecondsAfterFinished(
                (int) Math.min(Integer.MAX_VALUE, config.jobTtl().toSeconds()));
        jobSpec.setActiveDeadlineSeconds((long)
                (pluginDeadline != null && pluginDeadline > 0 ? pluginDeadline : config.jobActiveDeadlineSeconds()));
        jobSpec.setTemplate(template);
        Job k8sJob = new Job();
        k8sJob.setMetadata(new ObjectMetaBuilder()
                .withName(jobName(config.jobPrefix(), job.uuid()))
                .withNamespace(config.namespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .build());
        k8sJob.setSpec(jobSpec);
        JobValidation.check(k8sJob);
        return k8sJob;
    }

    private static JobInputs inputs(
            BuildkiteJob job,
            ControllerConfig config,
            PodTemplateLookup podTemplates,
            String version,
            PodPolicy policy) {
        Map<String, String> env = JobEnv.parse(job.env());
        KubernetesPlugin plugin = PluginParser.parse(env.get("BUILDKITE_PLUGINS"), config.prohibitKubernetesPlugin());
        PodSpec base;
        String podTemplate = null;
        if (plugin.podSpec() != null) {
            base = plugin.podSpec();
        } else if (plugin.podTemplate() != null && !plugin.podTemplate().isEmpty()) {
            podTemplate = plugin.podTemplate();
            Violation badName = PodPolicy.podTemplateName(podTemplate);
            if (badName != null) {
                throw new BuildFailure(policy.reason(List.of(badName))); // before a lookup with a name like ../x
            }
            try {
                base = podTemplates.podSpec(podTemplate);
            } catch (PodTemplateLookup.Unavailable e) {
                throw new BuildFailure("Error fetching podTemplate \"" + podTemplate + "\": " + e.getMessage());
            }
        } else {
            base = new PodSpec();
        }
        CheckoutParams defaults = config.defaultCheckoutParams();
        Boolean skip = plugin.checkout().skip() != null ? plugin.checkout().skip() : defaults.skip();
        VolumeMount workspace = new VolumeMountBuilder()
                .withName(workspaceVolume(config).getName())
                .withMountPath("/workspace")
                .withSubPathExpr(
                        config.workspaceMountSubPathExpr().isEmpty() ? null : config.workspaceMountSubPathExpr())
                .build();
        List<VolumeMount> shared = Mounts.concat(List.of(workspace), plugin.extraVolumeMounts());
        Interposer interposer = plugin.commandParams().interposer() != null
                ? plugin.commandParams().interposer()
                : config.defaultCommandParams().interposer() != null
                        ? config.defaultCommandParams().interposer()
                        : Interposer.BUILDKITE;
        return new JobInputs(
                job,
                env,
                plugin,
                config,
                PodSpecJson.copy(base),
                podTemplate,
                Boolean.TRUE.equals(skip),
                workspace,
                shared,
                interposer,
                version);
    }

    private static Volume workspaceVolume(ControllerConfig config) {
        Volume configured = config.workspaceVolume();
        if (configured != null) {
            return new VolumeBuilder(configured).build();
        }
        Volume emptyDir = new Volume(); // plain model objects: a fabric8 builder per Job showed in the profile
        emptyDir.setName(WORKSPACE_VOLUME);
        emptyDir.setEmptyDir(new io.fabric8.kubernetes.api.model.EmptyDirVolumeSource());
        return emptyDir;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
