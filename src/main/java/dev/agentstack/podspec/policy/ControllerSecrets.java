package dev.agentstack.podspec.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;

/**
 * The confused-deputy rule for the controller's own Secrets: only the {@code agent} container may read the agent
 * token, and nothing in a job pod may read the Buildkite API token. A job that could mount them would act with the
 * controller's credentials instead of its own.
 *
 * <p>The two may be one Secret with two keys (the chart's default): then the agent container may read only the
 * agent token's key of it.
 *
 * @param agentContainer   the name of the container that holds the agent token
 * @param agentTokenSecret the agent-token-secret option
 * @param agentTokenKey    the key of the agent token in that Secret
 * @param apiTokenSecret   the buildkite-token-secret option; empty when none
 */
record ControllerSecrets(String agentContainer, String agentTokenSecret, String agentTokenKey, String apiTokenSecret) {

    static final String RULE = "controller-secret";

    List<Violation> check(PodSpec spec) {
        List<Violation> found = new ArrayList<>();
        List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            PodField at = PodField.SPEC.item("volumes", i, v.getName());
            if (v.getSecret() != null) {
                refused(v.getSecret().getSecretName(), null, false, at.field("secret.secretName"), found);
            }
            if (v.getCsi() != null && v.getCsi().getNodePublishSecretRef() != null) {
                refused(
                        v.getCsi().getNodePublishSecretRef().getName(),
                        null,
                        false,
                        at.field("csi.nodePublishSecretRef.name"),
                        found);
            }
            List<VolumeProjection> sources =
                    v.getProjected() == null || v.getProjected().getSources() == null
                            ? List.of()
                            : v.getProjected().getSources();
            for (int s = 0; s < sources.size(); s++) {
                if (sources.get(s).getSecret() != null) {
                    PodField source = new PodField(
                            at.path() + ".projected.sources[" + s + "].secret.name", at.key() + ".projected.secret");
                    refused(sources.get(s).getSecret().getName(), null, false, source, found);
                }
            }
        }
        List<LocalObjectReference> pullSecrets =
                spec.getImagePullSecrets() == null ? List.of() : spec.getImagePullSecrets();
        for (int i = 0; i < pullSecrets.size(); i++) {
            refused(
                    pullSecrets.get(i).getName(),
                    null,
                    false,
                    new PodField("spec.imagePullSecrets[" + i + "].name", "spec.imagePullSecrets"),
                    found);
        }
        for (PodField.Located located : PodField.containers(spec)) {
            Container c = located.container();
            boolean agent = agentContainer.equals(c.getName());
            List<EnvVar> env = c.getEnv() == null ? List.of() : c.getEnv();
            for (int i = 0; i < env.size(); i++) {
                EnvVar e = env.get(i);
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    refused(
                            e.getValueFrom().getSecretKeyRef().getName(),
                            e.getValueFrom().getSecretKeyRef().getKey(),
                            agent,
                            located.at().item("env", i, e.getName()).field("valueFrom.secretKeyRef.name"),
                            found);
                }
            }
            List<EnvFromSource> envFrom = c.getEnvFrom() == null ? List.of() : c.getEnvFrom();
            for (int i = 0; i < envFrom.size(); i++) {
                if (envFrom.get(i).getSecretRef() != null) {
                    refused(
                            envFrom.get(i).getSecretRef().getName(),
                            null,
                            agent,
                            new PodField(
                                    located.at().path() + ".envFrom[" + i + "].secretRef.name",
                                    located.at().key() + ".envFrom"),
                            found);
                }
            }
        }
        return found;
    }

    /** @param key the one key referenced, or null for the whole Secret */
    private void refused(String secret, String key, boolean agent, PodField at, List<Violation> found) {
        if (secret == null) {
            return;
        }
        boolean apiToken = !apiTokenSecret.isEmpty() && secret.equals(apiTokenSecret);
        if (secret.equals(agentTokenSecret) && !agent) {
            found.add(at.violation(
                    RULE,
                    "names the agent-token Secret " + secret + ", which only the " + agentContainer
                            + " container may read",
                    secret));
        } else if (apiToken && !(secret.equals(agentTokenSecret) && agentTokenKey.equals(key))) {
            found.add(at.violation(
                    RULE,
                    "names the Buildkite API token Secret " + secret + (key == null ? "" : " (key " + key + ")")
                            + ", which no job container may read",
                    secret));
        }
    }
}
