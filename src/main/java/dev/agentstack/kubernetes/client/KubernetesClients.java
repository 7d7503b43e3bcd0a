package dev.agentstack.kubernetes.client;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelContext;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The Kubernetes client of a Camel context, for our Kamelets and components: the registry's only KubernetesClient, or,
 * when none is bound (a user's {@code camel run} of the routes alone), one made from fabric8's auto-configuration
 * (in-cluster service account, else KUBECONFIG) as camel-kubernetes does. That one is bound in the registry, so the
 * Job sink and the watches share it, and it is closed (and unbound) when the context stops. A client named by the
 * user (the Job sink's {@code kubernetesClient} property) is looked up by {@link #named}.
 */
public final class KubernetesClients {

    /** The registry name a client made here is bound under. */
    public static final String DEFAULT_CLIENT_BEAN = "agentStackKubernetesClient";

    /** Not the context's own monitor, which Camel may hold while our consumers start. */
    private static final Object LOCK = new Object();

    private KubernetesClients() {}

    /**
     * The KubernetesClient bean called {@code name} ({@code name}, {@code #name} or {@code #bean:name}, read as Camel
     * reads references); the context's client ({@link #of}) when the name is null or blank.
     *
     * @param user who asks, for the message when there is no such bean
     */
    public static KubernetesClient named(CamelContext context, String name, String user) {
        if (name == null || name.isBlank()) {
            return of(context);
        }
        KubernetesClient named = EndpointHelper.resolveReferenceParameter(context, name, KubernetesClient.class, false);
        if (named == null) {
            throw new IllegalStateException(
                    user + ": no KubernetesClient bean named " + name.replaceFirst("^#(bean:)?", ""));
        }
        return named;
    }

    public static KubernetesClient of(CamelContext context) {
        synchronized (LOCK) {
            KubernetesClient bound = context.getRegistry().findSingleByType(KubernetesClient.class);
            if (bound != null) {
                return bound;
            }
            KubernetesClient made = new KubernetesClientBuilder().build();
            context.getRegistry().bind(DEFAULT_CLIENT_BEAN, KubernetesClient.class, made);
            try {
                context.addService(
                        new ServiceSupport() {
                            @Override
                            protected void doStop() {
                                context.getRegistry()
                                        .unbind(DEFAULT_CLIENT_BEAN); // a restarted context makes a new one
                                made.close();
                            }
                        },
                        true,
                        true);
            } catch (Exception e) {
                made.close();
                throw new IllegalStateException(
                        "cannot register the Kubernetes client for shutdown: " + e.getMessage(), e);
            }
            return made;
        }
    }
}
