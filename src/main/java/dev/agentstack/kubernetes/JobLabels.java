package dev.agentstack.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * The label and annotation names the controller writes on its Jobs and pods and reads back: one place, so the builder
 * that writes a name and the watchers and routes that select on it cannot drift apart.
 */
public final class JobLabels {

    /** The Buildkite job's uuid; a Job's name derives from it too. */
    public static final String JOB_UUID = "buildkite.com/job-uuid";

    /** The controller's id (option {@code id}): every list and watch of ours selects on it. */
    public static final String CONTROLLER_ID = "buildkite.com/controller-id";

    /** Prefix of one label per agent tag of the job, {@code tag.buildkite.com/<key>=<value>}. */
    public static final String TAG_PREFIX = "tag.buildkite.com/";

    /** The queue tag's label: which queue's max-in-flight a Job counts against. */
    public static final String QUEUE = TAG_PREFIX + "queue";

    // Annotations that tell a person looking at a Job where it comes from, as the original sets them.
    public static final String BUILD_URL = "buildkite.com/build-url";
    public static final String BUILD_BRANCH = "buildkite.com/build-branch";
    public static final String BUILD_REPO = "buildkite.com/build-repo";
    public static final String PIPELINE_SLUG = "buildkite.com/pipeline-slug";
    public static final String STEP_KEY = "buildkite.com/step-key";
    public static final String JOB_URL = "buildkite.com/job-url";
    public static final String JOB_PRIORITY = "buildkite.com/job-priority";
    public static final String POD_TEMPLATE_NAME = "buildkite.com/pod-template-name";
    /** Followed by the sidecar's index: its container name. */
    public static final String SIDECAR_PREFIX = "buildkite.com/sidecar-";

    /** Set to false so the cluster autoscaler does not evict a running build's pod. */
    public static final String SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";

    /** Set on a Job once its failure was reported, so no replica and no restart reports it again. */
    public static final String FAILURE_REPORTED = "agent-stack-camel.dev/failure-reported";

    private JobLabels() {}

    /** The label every Job we create carries. */
    public static Map<String, String> controllerLabel(String controllerId) {
        return Map.of(CONTROLLER_ID, controllerId);
    }

    /** The label selector of every list and watch of our Jobs and pods. */
    public static String controllerSelector(String controllerId) {
        return CONTROLLER_ID + "=" + controllerId;
    }

    /** The Buildkite job uuid in the {@value #JOB_UUID} label of one of our Jobs or pods; null without it. */
    public static String jobUuidOf(HasMetadata resource) {
        Map<String, String> labels = resource == null || resource.getMetadata() == null
                ? null
                : resource.getMetadata().getLabels();
        return labels == null ? null : labels.get(JOB_UUID);
    }
}
