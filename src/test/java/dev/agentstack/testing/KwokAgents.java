package dev.agentstack.testing;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.sandbox.FakeBuildkite;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the Buildkite agent inside each pod that kwok runs: the job is acquired when its pod runs and finished with
 * the pod's outcome, as the real agent would, so FakeBuildkite stops offering it to the controller. An informer, not a
 * bare watch, so it lists again after a "too old resource version" (e.g. across an API-server restart).
 */
public final class KwokAgents implements AutoCloseable {

    private final FakeBuildkite buildkite;
    private final SharedIndexInformer<Pod> informer;
    /** The node each job's pod ran on, by job uuid. */
    public final Map<String, String> nodes = new ConcurrentHashMap<>();

    /** For the jobs of the harness's Buildkite, in its namespace. */
    public KwokAgents(ControllerHarness h) {
        this(h.client(), h.namespace(), h.buildkite());
    }

    public KwokAgents(KubernetesClient client, String namespace, FakeBuildkite buildkite) {
        this.buildkite = buildkite;
        this.informer = client.pods()
                .inNamespace(namespace)
                .withLabel(JobLabels.JOB_UUID)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        onPod(pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod pod) {
                        onPod(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        // nothing to play
                    }
                });
    }

    private void onPod(Pod pod) {
        String uuid = pod.getMetadata().getLabels().get(JobLabels.JOB_UUID);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (uuid == null || !buildkite.uuids().contains(uuid)) {
            return;
        }
        String state = buildkite.state(uuid);
        if ("Running".equals(phase) && "SCHEDULED".equals(state)) {
            nodes.put(uuid, pod.getSpec().getNodeName());
            buildkite.acquireAsAnotherAgent(uuid);
        } else if ("Succeeded".equals(phase) && !"FINISHED".equals(state)) {
            nodes.putIfAbsent(uuid, pod.getSpec().getNodeName());
            buildkite.finishAsAgent(uuid, "0");
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
