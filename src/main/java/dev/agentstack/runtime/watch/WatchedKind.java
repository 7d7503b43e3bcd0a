package dev.agentstack.runtime.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** The kinds {@code k8s-watch} can watch. */
enum WatchedKind {
    JOBS {
        @Override
        SharedIndexInformer<? extends HasMetadata> informer(KubernetesClient client, String namespace, String selector, long resync) {
            return client.batch().v1().jobs().inNamespace(namespace).withLabelSelector(selector).runnableInformer(resync);
        }
    },
    PODS {
        @Override
        SharedIndexInformer<? extends HasMetadata> informer(KubernetesClient client, String namespace, String selector, long resync) {
            return client.pods().inNamespace(namespace).withLabelSelector(selector).runnableInformer(resync);
        }
    };

    abstract SharedIndexInformer<? extends HasMetadata> informer(KubernetesClient client, String namespace,
                                                                 String labelSelector, long resyncMillis);

    static WatchedKind of(String name) {
        for (WatchedKind k : values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("k8s-watch can watch jobs or pods, not \"" + name + "\"");
    }
}
