package dev.agentstack.kubernetes.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Each watched kind's events come, in order, on one thread of its own, from a client that shares the original's. */
class WatchClientsTest {

    @Test
    void anInformersEventsArriveInOrderOnTheKindsOwnThread() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            KubernetesClient client = kubernetes.client();
            KubernetesClient watching = WatchClients.of(client, "things", KubernetesClient::getKubernetesSerialization);
            List<String> names = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            SharedIndexInformer<ConfigMap> informer =
                    watching.configMaps().inNamespace("ci").runnableInformer(0);
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(ConfigMap obj) {
                    names.add(obj.getMetadata().getName());
                    threads.add(Thread.currentThread().getName());
                }

                @Override
                public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {}

                @Override
                public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {}
            });
            informer.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
                for (int i = 0; i < 50; i++) {
                    client.resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName("c" + i)
                                    .withNamespace("ci")
                                    .endMetadata()
                                    .build())
                            .create();
                }

                await().atMost(Duration.ofSeconds(10)).until(() -> names.size() == 50);
            } finally {
                informer.close();
            }

            assertThat(names)
                    .isEqualTo(java.util.stream.IntStream.range(0, 50)
                            .mapToObj(i -> "c" + i)
                            .toList());
            assertThat(threads).containsOnly("k8s-things-events");
            // One derived client per client and kind; the original still works (the HTTP client is shared, not closed).
            assertThat(WatchClients.of(client, "things", KubernetesClient::getKubernetesSerialization))
                    .isSameAs(watching);
            assertThat(WatchClients.of(client, "others", KubernetesClient::getKubernetesSerialization))
                    .isNotSameAs(watching);
            assertThat(client.configMaps().inNamespace("ci").list().getItems()).hasSize(50);
        }
    }
}
