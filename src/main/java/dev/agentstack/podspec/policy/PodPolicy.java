package dev.agentstack.podspec.policy;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.podspec.KubernetesPlugin;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The admin's pod policy for one queue (docs/security.md): the Pod Security Standards level, the confused-deputy
 * rules and the admin's limits. The builder calls it on the final pod spec, after every patch.
 *
 * <p>Who set what: the rules on the step's own requests ({@link StepRules}) read the kubernetes plugin; the rules on
 * the pod (the level, the controller's Secrets, images, resources) read the final spec, and the builder forgives a
 * finding that the same job's pod without the step's plugin and image has too, since the admin put it there.
 */
public final class PodPolicy {

    private final PodSecurityLevel level;
    private final long runAsUser;
    private final List<String> allowedServiceAccounts;
    private final String jobServiceAccount;
    private final int maxDeadlineSeconds;
    private final boolean allowCommands;
    private final ControllerSecrets secrets;
    private final AdminLimits limits;

    private PodPolicy(ControllerConfig config, String agentContainer, String agentTokenKey) {
        level = PodSecurityLevel.of(config.podSecurityLevel());
        runAsUser = config.runAsUser();
        allowedServiceAccounts = config.allowedServiceAccounts();
        jobServiceAccount = config.jobServiceAccount();
        maxDeadlineSeconds = config.maxJobActiveDeadlineSeconds();
        allowCommands = config.allowPodSpecPatchUnsafeCommandModification();
        secrets = new ControllerSecrets(
                agentContainer, config.agentTokenSecret(), agentTokenKey, config.buildkiteTokenSecret());
        limits = new AdminLimits(ImagePatterns.of(config.allowedImages()), config.maxContainerResources());
    }

    /**
     * @param agentContainer the container that holds the agent token
     * @param agentTokenKey  the key of the agent token in the agent-token Secret
     */
    public static PodPolicy of(ControllerConfig config, String agentContainer, String agentTokenKey) {
        return new PodPolicy(config, agentContainer, agentTokenKey);
    }

    public PodSecurityLevel level() {
        return level;
    }

    /**
     * What the policy adds to every pod before it is checked: the job service account, no service-account token
     * unless the step chose an allowed account or the admin configured one, and at {@code restricted} the level's
     * required securityContext.
     *
     * @param adminSetsAccount the admin's patches or PodTemplate set serviceAccountName or automountServiceAccountToken
     */
    public void prepare(PodSpec spec, KubernetesPlugin step, boolean adminSetsAccount) {
        String stepAccount = StepRules.serviceAccount(step);
        boolean empty = spec.getServiceAccountName() == null
                || spec.getServiceAccountName().isEmpty();
        if (empty && !jobServiceAccount.isEmpty()) {
            spec.setServiceAccountName(jobServiceAccount);
        }
        boolean allowedByStep = stepAccount != null && allowedServiceAccounts.contains(stepAccount);
        if (!allowedByStep && !adminSetsAccount) {
            spec.setAutomountServiceAccountToken(false);
        }
        if (level == PodSecurityLevel.RESTRICTED) {
            RestrictedDefaults.fill(spec, runAsUser);
        }
    }

    /** @see StepRules#podTemplateName */
    public static Violation podTemplateName(String name) {
        return StepRules.podTemplateName(name);
    }

    /** What the step asks for that the policy does not allow, wherever the admin's settings stand. */
    public List<Violation> stepViolations(KubernetesPlugin step, Predicate<String> controllerContainer) {
        return StepRules.check(
                step,
                allowedServiceAccounts,
                maxDeadlineSeconds,
                controllerContainer,
                secrets.agentContainer(),
                allowCommands);
    }

    /** What the final pod breaks; the builder forgives what the admin's own pod for the job breaks too. */
    public List<Violation> podViolations(
            PodSpec spec, Map<String, String> podAnnotations, Predicate<String> imageCheckContainer) {
        List<Violation> found = new ArrayList<>(PodSecurityStandards.check(spec, podAnnotations, level));
        found.addAll(secrets.check(spec));
        found.addAll(limits.check(spec, imageCheckContainer));
        return found;
    }

    /** The reason for the job's log. */
    public String reason(List<Violation> violations) {
        StringBuilder sb = new StringBuilder("refused by the pod policy (pod-security-level " + level.label() + "): ");
        int shown = Math.min(violations.size(), 10);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : "; ").append(violations.get(i).describe());
        }
        if (violations.size() > shown) {
            sb.append("; and ").append(violations.size() - shown).append(" more");
        }
        return sb.toString();
    }
}
