package dev.agentstack.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/**
 * The pod of a controller replica, as leader election sees candidates: labelled like the chart's pods, Running and
 * Ready. The mock API server runs no kubelet, so tests write these themselves.
 */
public final class ReplicaPods {

    private ReplicaPods() {}

    public static Pod runningAndReady(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("app.kubernetes.io/name", "agent-stack-camel")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("controller")
                .withImage("agent-stack-camel")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
    }
}
