package dev.agentstack.podspec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A job's environment, from the {@code KEY=VALUE} strings Buildkite sends; a later duplicate wins. */
final class JobEnv {

    private JobEnv() {}

    static Map<String, String> parse(List<String> entries) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            int eq = entry == null ? -1 : entry.indexOf('=');
            if (eq < 0) {
                // the entry itself may be a secret that lost its name: never echo it
                throw new BuildFailure("job env entry " + i + " is not KEY=VALUE (it has no \"=\")");
            }
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return Collections.unmodifiableMap(env);
    }
}
