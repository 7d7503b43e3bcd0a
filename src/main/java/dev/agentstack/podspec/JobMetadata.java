package dev.agentstack.podspec;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.Container;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels and annotations of the Job and its pod. A later source wins: the controller's default metadata, then the
 * plugin's, then what the controller always writes, which a pipeline therefore cannot forge (job uuid, controller id,
 * build and step annotations).
 */
final class JobMetadata {

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.scheduler");

    private JobMetadata() {}

    static Map<String, String> labels(JobInputs in) {
        Map<String, String> labels = new LinkedHashMap<>();
        putAll(labels, in.config().defaultMetadata().labels());
        putAll(labels, in.plugin().metadata().labels());
        labels.put(JobLabels.JOB_UUID, in.job().uuid());
        if (!in.config().id().isEmpty()) {
            labels.put(JobLabels.CONTROLLER_ID, in.config().id());
        }
        for (String rule : in.job().agentQueryRules()) {
            int eq = rule.indexOf('=');
            String key = eq > 0 ? JobLabels.TAG_PREFIX + rule.substring(0, eq) : null;
            String value = eq > 0 ? rule.substring(eq + 1) : null;
            if (key == null
                    || KubernetesNames.qualifiedNameProblem(key) != null
                    || KubernetesNames.labelValueProblem(value) != null) {
                // a tag such as queue=* is fine in Buildkite but not as a label; it only loses its label
                LOG.debug(
                        "job {}: agent tag {} is not a valid label; not labelled",
                        in.job().uuid(),
                        rule);
                continue;
            }
            labels.put(key, value);
        }
        return labels;
    }

    static Map<String, String> annotations(JobInputs in, List<Container> sidecars) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(JobLabels.SAFE_TO_EVICT, "false"); // metadata may say "true"
        putAll(annotations, in.config().defaultMetadata().annotations());
        putAll(annotations, in.plugin().metadata().annotations());
        annotations.put(JobLabels.BUILD_URL, in.envValue("BUILDKITE_BUILD_URL"));
        annotations.put(JobLabels.BUILD_BRANCH, in.envValue("BUILDKITE_BRANCH"));
        // For display only: the checkout reads BUILDKITE_REPO from the job's env, credentials and all.
        annotations.put(JobLabels.BUILD_REPO, withoutUserInfo(in.envValue("BUILDKITE_REPO")));
        annotations.put(JobLabels.PIPELINE_SLUG, in.envValue("BUILDKITE_PIPELINE_SLUG"));
        annotations.put(JobLabels.STEP_KEY, in.envValue("BUILDKITE_STEP_KEY"));
        String buildUrl = in.envValue("BUILDKITE_BUILD_URL");
        if (!buildUrl.isEmpty()) { // the original wrote "#<uuid>" for an empty URL; we leave it out
            String withoutFragment = buildUrl.contains("#") ? buildUrl.substring(0, buildUrl.indexOf('#')) : buildUrl;
            annotations.put(JobLabels.JOB_URL, withoutFragment + "#" + in.job().uuid());
        }
        annotations.put(JobLabels.JOB_PRIORITY, String.valueOf(in.job().priority()));
        if (in.podTemplate() != null) {
            annotations.put(JobLabels.POD_TEMPLATE_NAME, in.podTemplate());
        }
        for (int i = 0; i < sidecars.size(); i++) {
            annotations.put(JobLabels.SIDECAR_PREFIX + i, sidecars.get(i).getName());
        }
        return annotations;
    }

    /**
     * A repository URL without its user-info ({@code https://user:token@host/r.git} becomes
     * {@code https://host/r.git}): annotations are readable by anyone who may list Jobs. scp-like addresses
     * ({@code git@host:r.git}) carry no secret and stay as they are.
     */
    static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int authorityStart = scheme + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        return at < authorityStart ? url : url.substring(0, authorityStart) + url.substring(at + 1);
    }

    /** Checks the plugin's metadata as the API server would; the controller's was checked at start-up. */
    static void checkPluginMetadata(PodMetadata metadata) {
        String problem = metadata.problem();
        if (problem != null) {
            throw new BuildFailure("kubernetes plugin metadata." + problem);
        }
    }

    private static void putAll(Map<String, String> into, Map<String, String> from) {
        from.forEach((k, v) -> into.put(k, v == null ? "" : v));
    }
}
