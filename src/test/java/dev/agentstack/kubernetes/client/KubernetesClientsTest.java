package dev.agentstack.kubernetes.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.testing.AutoConfiguredKubernetes;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.impl.BaseClient;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One client per context, whether the application bound one or our components had to make it. */
class KubernetesClientsTest {

    @RegisterExtension
    final AutoConfiguredKubernetes kubernetes = new AutoConfiguredKubernetes();

    @Test
    void withoutABoundClientOneIsMadeSharedAndClosedWithTheContext() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.start();

        KubernetesClient made = KubernetesClients.of(context);

        assertThat(KubernetesClients.of(context)).isSameAs(made);
        assertThat(context.getRegistry()
                        .lookupByNameAndType(KubernetesClients.DEFAULT_CLIENT_BEAN, KubernetesClient.class))
                .isSameAs(made);
        made.batch()
                .v1()
                .jobs()
                .inNamespace("default")
                .resource(new JobBuilder()
                        .withNewMetadata()
                        .withName("j")
                        .endMetadata()
                        .build())
                .create();
        assertThat(kubernetes
                        .embedded()
                        .client()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace("default")
                        .withName("j")
                        .get())
                .isNotNull();

        context.stop();
        assertThat(made.adapt(BaseClient.class).getClosed()).isDone();
        assertThat(context.getRegistry().lookupByName(KubernetesClients.DEFAULT_CLIENT_BEAN))
                .isNull();
    }

    @Test
    void aBoundClientIsUsedAndLeftToItsOwner() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        KubernetesClient bound = kubernetes.embedded().newClient();
        context.getRegistry().bind("mine", bound);
        context.start();

        assertThat(KubernetesClients.of(context)).isSameAs(bound);
        assertThat(context.getRegistry().lookupByName(KubernetesClients.DEFAULT_CLIENT_BEAN))
                .isNull();

        context.stop();
        assertThat(bound.adapt(BaseClient.class).getClosed()).isNotDone();
        bound.close();
    }

    @Test
    void aClientNamedByTheUserIsLookedUpAsCamelWritesReferences() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        KubernetesClient one = kubernetes.embedded().newClient();
        KubernetesClient other = kubernetes.embedded().newClient();
        context.getRegistry().bind("one", one);
        context.getRegistry().bind("other", other);
        context.start();
        try {
            assertThat(KubernetesClients.named(context, "other", "sink")).isSameAs(other);
            assertThat(KubernetesClients.named(context, "#other", "sink")).isSameAs(other);
            assertThat(KubernetesClients.named(context, "#bean:one", "sink")).isSameAs(one);
            assertThatThrownBy(() -> KubernetesClients.named(context, "#missing", "kubernetes-job-sink"))
                    .hasMessage("kubernetes-job-sink: no KubernetesClient bean named missing");
        } finally {
            context.stop();
            one.close();
            other.close();
        }
    }
}
