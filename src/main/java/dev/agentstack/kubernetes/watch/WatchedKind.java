package dev.agentstack.kubernetes.watch;

import dev.agentstack.kubernetes.client.JobStatusClient;
import dev.agentstack.kubernetes.client.WatchClients;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;

/** The kinds {@code k8s-watch} can watch. */
enum WatchedKind {
    JOBS {
        @Override
        SharedIndexInformer<? extends HasMetadata> informer(
                KubernetesClient client, String namespace, String selector, long resync) {
            return JobStatusClient.of(client)
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .withLabelSelector(selector)
                    .withLimit(LIST_PAGE_SIZE)
                    .runnableInformer(resync)
                    .itemStore(new TrimmedItemStore<Job>(WatchedKind::trimJob));
        }
    },
    PODS {
        @Override
        SharedIndexInformer<? extends HasMetadata> informer(
                KubernetesClient client, String namespace, String selector, long resync) {
            return WatchClients.of(client, "pods", KubernetesClient::getKubernetesSerialization)
                    .pods()
                    .inNamespace(namespace)
                    .withLabelSelector(selector)
                    .withLimit(LIST_PAGE_SIZE)
                    .runnableInformer(resync)
                    .itemStore(new TrimmedItemStore<Pod>(pod -> {
                        Pod trimmed = new Pod();
                        trimmed.setMetadata(TrimmedItemStore.metadata(pod.getMetadata()));
                        if (pod.getSpec() != null) {
                            PodSpec spec = new PodSpec();
                            spec.setContainers(containers(pod.getSpec().getContainers()));
                            spec.setInitContainers(containers(pod.getSpec().getInitContainers()));
                            trimmed.setSpec(spec);
                        }
                        trimmed.setStatus(pod.getStatus());
                        return trimmed;
                    }));
        }
    };

    /**
     * Objects per page when an informer or the reconcile lists (client-go's default): a list of thousands of Jobs is
     * then neither one huge answer for the API server to build nor one huge buffer for the controller's heap.
     */
    static final long LIST_PAGE_SIZE = 500;

    /** A Job as the routes read it from a cache or a list: metadata and status, not its pod template. */
    static Job trimJob(Job job) {
        Job trimmed = new Job();
        trimmed.setMetadata(TrimmedItemStore.metadata(job.getMetadata()));
        trimmed.setStatus(job.getStatus());
        return trimmed;
    }

    /** Containers as the classification reads them: name, image, restart policy (native sidecars), resources. */
    private static List<Container> containers(List<Container> containers) {
        List<Container> out = new ArrayList<>();
        for (Container c : containers == null ? List.<Container>of() : containers) {
            Container t = new Container();
            t.setName(c.getName());
            t.setImage(c.getImage());
            t.setRestartPolicy(c.getRestartPolicy());
            t.setResources(c.getResources());
            out.add(t);
        }
        return out;
    }

    abstract SharedIndexInformer<? extends HasMetadata> informer(
            KubernetesClient client, String namespace, String labelSelector, long resyncMillis);

    static WatchedKind of(String name) {
        for (WatchedKind k : values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("k8s-watch can watch jobs or pods, not \"" + name + "\"");
    }
}
