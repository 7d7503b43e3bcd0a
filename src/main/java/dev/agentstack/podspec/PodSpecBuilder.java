package dev.agentstack.podspec;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a Buildkite job into the Kubernetes Job that runs it: a pure function of the job and the controller
 * configuration.
 *
 * <p>Placeholder layout until the full builder lands: one {@code agent} container that acquires the job and runs its
 * command itself ({@code buildkite-agent start} with {@code BUILDKITE_AGENT_ACQUIRE_JOB}).
 */
public final class PodSpecBuilder {

    public static final String LABEL_JOB_UUID = "buildkite.com/job-uuid";
    public static final String LABEL_CONTROLLER_ID = "buildkite.com/controller-id";
    public static final String JOB_NAME_PREFIX = "buildkite-";

    private final ControllerConfig config;

    public PodSpecBuilder(ControllerConfig config) {
        this.config = config;
    }

    public BuildResult build(BuildkiteJob job) {
        return build(job, config);
    }

    public static BuildResult build(BuildkiteJob job, ControllerConfig config) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_JOB_UUID, job.uuid());
        labels.put(LABEL_CONTROLLER_ID, config.id());
        Job k8sJob = new JobBuilder()
                .withNewMetadata().withName(jobName(job.uuid())).withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withTtlSecondsAfterFinished((int) config.jobTtl().toSeconds())
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("agent")
                .withImage(config.image())
                .withArgs("start")
                .withEnv(new EnvVarBuilder().withName("BUILDKITE_AGENT_TOKEN").withNewValueFrom()
                                .withNewSecretKeyRef("BUILDKITE_AGENT_TOKEN", config.agentTokenSecret(), false)
                                .endValueFrom().build(),
                        new EnvVarBuilder().withName("BUILDKITE_AGENT_ACQUIRE_JOB").withValue(job.uuid()).build(),
                        new EnvVarBuilder().withName("BUILDKITE_AGENT_TAGS")
                                .withValue(String.join(",", job.agentQueryRules())).build())
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        return new BuildResult.Built(k8sJob);
    }

    /** The Job name: deterministic, so a second create for the same job is refused with 409 by the API server. */
    public static String jobName(String uuid) {
        return JOB_NAME_PREFIX + uuid;
    }
}
