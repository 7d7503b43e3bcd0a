package dev.agentstack.kubernetes.watch;

import dev.agentstack.kubernetes.client.KubernetesClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** See {@link KubernetesWatchComponent}. */
@UriEndpoint(
        scheme = "k8s-watch",
        title = "Kubernetes watch (informer)",
        syntax = "k8s-watch:kind",
        consumerOnly = true,
        category = {Category.CLOUD})
public final class KubernetesWatchEndpoint extends DefaultEndpoint {

    @UriPath(description = "What to watch: jobs or pods")
    @Metadata(required = true)
    private final WatchedKind kind;

    @UriParam(description = "The namespace to watch")
    @Metadata(required = true)
    private String namespace;

    @UriParam(description = "Only objects matching this label selector, e.g. buildkite.com/controller-id=my-stack")
    @Metadata(required = true)
    private String labelSelector;

    @UriParam(
            description = "How often the informer replays its cache as MODIFIED events, in ms; 0 never",
            defaultValue = "0")
    private long resyncPeriod;

    KubernetesWatchEndpoint(String uri, KubernetesWatchComponent component, WatchedKind kind) {
        super(uri, component);
        this.kind = kind;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("k8s-watch only consumes events");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (namespace == null || namespace.isBlank() || labelSelector == null || labelSelector.isBlank()) {
            throw new IllegalArgumentException("k8s-watch needs a namespace and a labelSelector: every watch selects"
                    + " on our controller's label");
        }
        KubernetesWatchConsumer consumer = new KubernetesWatchConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    KubernetesClient client() {
        KubernetesClient client = ((KubernetesWatchComponent) getComponent()).getKubernetesClient();
        return client != null ? client : KubernetesClients.of(getCamelContext());
    }

    WatchedKind kind() {
        return kind;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getLabelSelector() {
        return labelSelector;
    }

    public void setLabelSelector(String labelSelector) {
        this.labelSelector = labelSelector;
    }

    public long getResyncPeriod() {
        return resyncPeriod;
    }

    public void setResyncPeriod(long resyncPeriod) {
        this.resyncPeriod = resyncPeriod;
    }
}
