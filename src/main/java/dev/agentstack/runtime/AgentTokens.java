package dev.agentstack.runtime;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.Options;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the agent token comes from: the environment variable {@value AgentTokenSecret#KEY} when it is set, as the
 * original's chart and the agent itself take it; else the Secret named by agent-token-secret.
 */
public final class AgentTokens {

    private AgentTokens() {}

    /**
     * @param secret reads the agent-token-secret Secret (only called without the environment variable)
     */
    public static Supplier<String> of(Map<String, String> env, Supplier<String> secret) {
        String fromEnv = env.get(AgentTokenSecret.KEY);
        if (fromEnv != null && !fromEnv.isBlank()) {
            String token = fromEnv.trim();
            return () -> token;
        }
        return secret;
    }

    /** The token now; a Secret that cannot be read is a configuration mistake that names where to put it. */
    public static String require(Supplier<String> tokens) {
        try {
            String token = tokens.get();
            if (token == null || token.isBlank()) {
                throw new IllegalStateException("it is empty");
            }
            return token;
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(
                    Options.AGENT_TOKEN_SECRET,
                    "the Stacks API needs the cluster's agent token," + " from " + AgentTokenSecret.KEY
                            + " in the environment or this Secret: " + e.getMessage());
        }
    }
}
