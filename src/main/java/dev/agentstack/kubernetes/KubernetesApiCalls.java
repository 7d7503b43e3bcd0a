package dev.agentstack.kubernetes;

import java.util.List;

/**
 * Every call the controller makes to the Kubernetes API, in its namespace: what the Helm chart's Role must grant,
 * and nothing more (a test renders the chart and compares its rules with this list). Keep it next to the code that
 * makes the calls: a new call without a line here fails that test.
 */
public final class KubernetesApiCalls {

    /**
     * One permission.
     *
     * @param apiGroup   "" for the core group
     * @param resource   the plural resource
     * @param verbs      the verbs used
     * @param namedOnly  true when the call only ever concerns one named object (a Role may pin it with resourceNames)
     * @param onlyWhen   the option that turns the calls on, or "" when they are always made
     * @param why        who makes the call
     */
    public record Permission(
            String apiGroup, String resource, List<String> verbs, boolean namedOnly, String onlyWhen, String why) {}

    public static final List<Permission> ALL = List.of(
            new Permission(
                    "batch",
                    "jobs",
                    List.of("create", "get", "list", "watch", "patch", "delete"),
                    false,
                    "",
                    "create Jobs; count in-flight Jobs (informer and periodic list); re-check Jobs that cannot run,"
                            + " mark them reported (annotation) and delete them, or those cancelled in Buildkite;"
                            + " give a Job whose agent finished a deadline (completion watcher)"),
            new Permission(
                    "",
                    "pods",
                    List.of("get", "list", "watch"),
                    false,
                    "",
                    "watch our Jobs' pods to fail jobs that can never run; list candidate replicas for leader"
                            + " election"),
            new Permission(
                    "",
                    "events",
                    List.of("list"),
                    false,
                    "",
                    "quote a Job's or pod's Warning events when failing its Buildkite job"),
            new Permission("", "podtemplates", List.of("get"), false, "", "the kubernetes plugin's podTemplate"),
            new Permission(
                    "",
                    "secrets",
                    List.of("get"),
                    true,
                    "",
                    "read the agent token (agent-token-secret) to fail jobs through the Buildkite agent API"),
            new Permission(
                    "coordination.k8s.io",
                    "leases",
                    List.of("get", "create", "update"),
                    false,
                    "leader-election",
                    "compete for the leader Lease"));

    private KubernetesApiCalls() {}
}
