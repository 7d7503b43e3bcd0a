package dev.agentstack.podspec.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The limits an admin sets on every container, as GitLab Runner's Kubernetes executor does: which images may run
 * (allowed-images) and how much cpu, memory and ephemeral storage one container may request or limit
 * (max-container-resources).
 *
 * @param images the allowed-images patterns
 * @param caps   resource name to its largest quantity; empty for no caps
 */
record AdminLimits(ImagePatterns images, Map<String, String> caps) {

    List<Violation> check(PodSpec spec, java.util.function.Predicate<String> imageCheckContainer) {
        List<Violation> found = new ArrayList<>();
        for (PodField.Located located : PodField.containers(spec)) {
            Container c = located.container();
            // an image check runs the image of the container it checks, which is reported there
            if (!imageCheckContainer.test(c.getName()) && !images.allows(c.getImage())) {
                found.add(located.at()
                        .field("image")
                        .violation(
                                "allowed-images",
                                "is " + c.getImage() + ", which allowed-images " + images.globs() + " does not match",
                                c.getImage()));
            }
            if (c.getResources() == null) {
                continue;
            }
            for (Map.Entry<String, Map<String, Quantity>> kind : List.of(
                    Map.entry("requests", orEmpty(c.getResources().getRequests())),
                    Map.entry("limits", orEmpty(c.getResources().getLimits())))) {
                for (Map.Entry<String, String> cap : caps.entrySet()) {
                    Quantity asked = kind.getValue().get(cap.getKey());
                    if (asked != null && amount(asked).compareTo(amount(new Quantity(cap.getValue()))) > 0) {
                        found.add(located.at()
                                .field("resources." + kind.getKey() + "." + cap.getKey())
                                .violation(
                                        "max-container-resources",
                                        "is " + asked + ", more than the " + cap.getValue() + " a container may have",
                                        asked));
                    }
                }
            }
        }
        return found;
    }

    private static BigDecimal amount(Quantity q) {
        try {
            return Quantity.getAmountInBytes(q);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return BigDecimal.ZERO; // the builder's validation reports a quantity that does not parse
        }
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }
}
