package dev.agentstack.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written DNS-1123 checks accept exactly what Kubernetes' regular expressions accept. */
class KubernetesNamesTest {

    /** Kubernetes' own expressions (k8s.io/apimachinery validation). */
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** A label value, and the name part of a qualified name (label and annotation keys). */
    private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    @Test
    void namesAtTheEdges() {
        assertThat(KubernetesNames.isDnsSubdomain("buildkite-0190c8a2-6f4e-4f7b-9d7e-3f1a2b3c4d5e"))
                .isTrue();
        assertThat(KubernetesNames.isDnsSubdomain("a.b-c.d")).isTrue();
        assertThat(KubernetesNames.isDnsSubdomain("a".repeat(253))).isTrue();
        assertThat(KubernetesNames.isDnsSubdomain("a".repeat(254))).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain("")).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain(null)).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain("a..b")).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain(".a")).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain("a.")).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain("a-.b")).isFalse();
        assertThat(KubernetesNames.isDnsSubdomain("Buildkite")).isFalse();
        assertThat(KubernetesNames.isDnsLabel("a".repeat(63))).isTrue();
        assertThat(KubernetesNames.isDnsLabel("a".repeat(64))).isFalse();
        assertThat(KubernetesNames.isDnsLabel("a.b")).isFalse();
        assertThat(KubernetesNames.isDnsLabel("-a")).isFalse();
        assertThat(KubernetesNames.labelValueProblem("Build_kite.0")).isNull();
        assertThat(KubernetesNames.labelValueProblem("a".repeat(64))).contains("at most 63 characters");
        assertThat(KubernetesNames.labelValueProblem("a b")).isNotNull();
        assertThat(KubernetesNames.labelValueProblem("_a")).isNotNull();
        assertThat(KubernetesNames.labelValueProblem("a.")).isNotNull();
        assertThat(KubernetesNames.qualifiedNameProblem("buildkite.com/job-uuid"))
                .isNull();
        assertThat(KubernetesNames.qualifiedNameProblem("buildkite.com/")).contains("name part");
    }

    @Test
    void randomNamesAreJudgedAsTheRegularExpressionsJudgeThem() {
        Random random = new Random(42);
        String alphabet = "ab09-.-.A_ ";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = name.toString();
            assertThat(KubernetesNames.isDnsSubdomain(s))
                    .as("subdomain %s", s)
                    .isEqualTo(DNS_SUBDOMAIN.matcher(s).matches());
            assertThat(KubernetesNames.isDnsLabel(s))
                    .as("label %s", s)
                    .isEqualTo(DNS_LABEL.matcher(s).matches());
            boolean namePart = NAME_PART.matcher(s).matches();
            assertThat(KubernetesNames.labelValueProblem(s) == null)
                    .as("label value %s", s)
                    .isEqualTo(s.isEmpty() || namePart);
            assertThat(KubernetesNames.qualifiedNameProblem("example.com/" + s) == null)
                    .as("key example.com/%s", s)
                    .isEqualTo(namePart);
        }
    }
}
