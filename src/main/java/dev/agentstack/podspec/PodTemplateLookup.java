package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Finds the pod spec of a PodTemplate that a step's plugin names ({@code podTemplate}). The builder stays a pure
 * function of its inputs by receiving this lookup; failures are reported by throwing {@link Unavailable}.
 */
@FunctionalInterface
public interface PodTemplateLookup {

    /** The template's {@code .template.spec}; throws {@link Unavailable} with a reason when there is none. */
    PodSpec podSpec(String name);

    /** Why a template could not be fetched, in a few words (e.g. not found, forbidden). */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** For {@code render} and {@code lint}, which run without a cluster. */
    PodTemplateLookup OFFLINE = name -> {
        throw new Unavailable("there is no cluster to fetch it from (render and lint run offline); use podSpec here");
    };

    /** PodTemplates in the controller's namespace, read through the API server. */
    static PodTemplateLookup inNamespace(KubernetesClient client, String namespace) {
        return name -> {
            PodTemplate template;
            try {
                template = client.resources(PodTemplate.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
            } catch (RuntimeException e) {
                throw new Unavailable(e.getMessage());
            }
            if (template == null) {
                throw new Unavailable("podtemplates \"" + name + "\" not found in namespace " + namespace);
            }
            if (template.getTemplate() == null || template.getTemplate().getSpec() == null) {
                throw new Unavailable("it has no template.spec");
            }
            return template.getTemplate().getSpec();
        };
    }
}
