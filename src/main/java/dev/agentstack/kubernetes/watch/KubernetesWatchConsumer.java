package dev.agentstack.kubernetes.watch;

import dev.agentstack.logging.OutageLog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.support.DefaultConsumer;

/**
 * Feeds informer events into the route, one exchange per event, in the order the informer delivers them: body = the
 * object, header {@value #ACTION} = ADDED, MODIFIED (also for resyncs) or DELETED.
 */
final class KubernetesWatchConsumer extends DefaultConsumer {

    /** The header camel-kubernetes consumers set, which the routes' beans bind (@Header). */
    static final String ACTION = KubernetesConstants.KUBERNETES_EVENT_ACTION;

    private SharedIndexInformer<? extends HasMetadata> informer;

    KubernetesWatchConsumer(KubernetesWatchEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public KubernetesWatchEndpoint getEndpoint() {
        return (KubernetesWatchEndpoint) super.getEndpoint();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void doStart() throws Exception {
        super.doStart();
        KubernetesWatchEndpoint e = getEndpoint();
        SharedIndexInformer raw =
                e.kind().informer(e.client(), e.getNamespace(), e.getLabelSelector(), e.getResyncPeriod());
        raw.addEventHandler(new ResourceEventHandler<HasMetadata>() {
            @Override
            public void onAdd(HasMetadata obj) {
                emit("ADDED", obj);
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                emit("MODIFIED", newObj);
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                emit("DELETED", obj);
            }
        });
        // Keep trying when the API server is unreachable at start or later; the readiness check reports it meanwhile,
        // and the log says it once per outage (fabric8's own line for each retry is turned off in logback.xml).
        String call = "watch of " + e.kind().name().toLowerCase(Locale.ROOT) + " in " + e.getNamespace();
        raw.exceptionHandler((started, t) -> {
            OutageLog.kubernetes().failed(call, t);
            return true;
        });
        informer = raw;
        informer.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (informer != null) {
            informer.close();
            informer = null;
        }
        super.doStop();
    }

    /** True while the informer is connected and its cache is in step with the API server. */
    boolean isWatching() {
        return informer != null && informer.isWatching();
    }

    private void emit(String action, HasMetadata obj) {
        OutageLog.kubernetes().succeeded();
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(obj);
        exchange.getIn().setHeader(ACTION, action);
        try {
            getProcessor().process(exchange);
        } catch (Exception ex) {
            exchange.setException(ex);
        }
        if (exchange.getException() != null) {
            getExceptionHandler()
                    .handleException(
                            "Error processing a Kubernetes " + action + " event", exchange, exchange.getException());
        }
        releaseExchange(exchange, false);
    }
}
