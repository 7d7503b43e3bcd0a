package dev.agentstack.buildkite;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Agent tags ({@code key=value}) and the rule that decides whether a job's tags are ours to run. */
public final class AgentTags {

    private AgentTags() {}

    /** The tags as an ordered map; entries without {@code =} are skipped. */
    public static Map<String, String> toMap(List<String> tags) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String tag : tags) {
            int eq = tag.indexOf('=');
            if (eq > 0) {
                map.put(tag.substring(0, eq), tag.substring(eq + 1));
            }
        }
        return map;
    }

    /** The tag that picks a resource class (resource-classes) for the job's pod, not an agent to run it. */
    public static final String RESOURCE_CLASS = "resource_class";

    /**
     * True when every {@code k=v} tag of the job names a key the controller has, with the same value or with the job
     * asking for {@code *}. The controller may have tags the job does not ask for (the original's subset rule).
     * {@value #RESOURCE_CLASS} is not matched: it chooses the pod's resources, and the Job's agent is given it.
     */
    public static boolean jobMatchesController(List<String> jobTags, List<String> controllerTags) {
        Map<String, String> ours = toMap(controllerTags);
        for (Map.Entry<String, String> e : toMap(jobTags).entrySet()) {
            if (e.getKey().equals(RESOURCE_CLASS)) {
                continue;
            }
            String value = ours.get(e.getKey());
            if (value == null || !(e.getValue().equals("*") || e.getValue().equals(value))) {
                return false;
            }
        }
        return true;
    }
}
