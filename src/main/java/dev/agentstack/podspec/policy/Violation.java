package dev.agentstack.podspec.policy;

/**
 * One way a job's pod breaks the pod policy.
 *
 * @param rule   the rule, e.g. {@code baseline/privileged} or {@code controller-secret}
 * @param path   where, as a field path of the pod spec, e.g. {@code spec.containers[2].securityContext.privileged}
 * @param detail what is wrong there, in a few words
 * @param key    the same finding with containers and volumes by name and the offending value: it stays equal between
 *               two builds of one job whose lists differ in length, which is how an admin's own setting is recognised
 */
public record Violation(String rule, String path, String detail, String key) {

    /** How the job's log and {@code render} state it. */
    public String describe() {
        return rule + ": " + path + " " + detail;
    }
}
