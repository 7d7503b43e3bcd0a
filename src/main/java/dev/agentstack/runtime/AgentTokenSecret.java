package dev.agentstack.runtime;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The agent token, read from the {@code agent-token-secret} Secret (key {@code BUILDKITE_AGENT_TOKEN}) when a job must
 * be failed, and kept for a minute so a rotated token is picked up. Never logged (and masked if a library logs it);
 * errors name the Secret, not its data.
 */
public final class AgentTokenSecret implements Supplier<String> {

    public static final String KEY = "BUILDKITE_AGENT_TOKEN";
    private static final Duration KEEP = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private String token;
    private long readAt;

    public AgentTokenSecret(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public synchronized String get() {
        long now = System.nanoTime();
        if (token == null || now - readAt > KEEP.toNanos()) {
            Secret secret =
                    client.secrets().inNamespace(namespace).withName(name).get();
            String value = null;
            if (secret != null && secret.getData() != null && secret.getData().get(KEY) != null) {
                value = new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.UTF_8)
                        .trim();
            } else if (secret != null && secret.getStringData() != null) {
                value = secret.getStringData().get(KEY);
            }
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException(
                        "Secret " + namespace + "/" + name + " has no " + KEY + " (option agent-token-secret)");
            }
            token = value;
            readAt = now;
            SecretRedaction.register(value);
        }
        return token;
    }
}
