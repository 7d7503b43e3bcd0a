package dev.agentstack.kubernetes.watch;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code k8s-watch:<jobs|pods>?namespace=...&labelSelector=...}: Kubernetes events as a route's input. camel-kubernetes
 * has no consumer for Jobs, and its consumers are plain watches that stop for good on the first error; this one is a
 * fabric8 informer, which lists, watches, re-lists and re-watches on its own, and replays its cache every
 * {@code resyncPeriod} so time-based checks run even when nothing changes.
 */
public final class KubernetesWatchComponent extends DefaultComponent {

    @Metadata(autowired = true)
    private KubernetesClient kubernetesClient;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        WatchedKind kind = WatchedKind.of(remaining);
        KubernetesWatchEndpoint endpoint = new KubernetesWatchEndpoint(uri, this, kind);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public KubernetesClient getKubernetesClient() {
        return kubernetesClient;
    }

    public void setKubernetesClient(KubernetesClient kubernetesClient) {
        this.kubernetesClient = kubernetesClient;
    }
}
