package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.Fault;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An answer too large to read, or a redirect, fails one poll; it never wedges polling or sends the token on. */
class HostileAnswersTest {

    private static final long TWO_HUNDRED_MB = 200L * 1024 * 1024;

    @ParameterizedTest(name = "declared length: {0}")
    @ValueSource(booleans = {false, true})
    void anOversizeAnswerFailsOnePollAndPollingCarriesOn(boolean declared) {
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness(b -> b.set(Options.MAX_RESPONSE_SIZE, "1Mi"))) {
            h.buildkite().enqueueGraphqlFault(Fault.huge(TWO_HUNDRED_MB, declared));
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            assertThat(logs.linesContaining("poll failed"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains("poll failed (oversize_response): answer larger than max-response-size (1048576 bytes)");
            Counter oversize = h.controller()
                    .bean("metricsRegistry", MeterRegistry.class)
                    .find("buildkite.api.oversize.responses")
                    .tag("api", "graphql")
                    .counter();
            assertThat(oversize).isNotNull();
            assertThat(oversize.count()).isEqualTo(1.0);
        }
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {302, 307})
    void aRedirectIsAFailedPollAndTheTokenStaysHome(int status) throws IOException {
        List<String> elsewhere = new CopyOnWriteArrayList<>();
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        other.createContext("/", exchange -> {
            elsewhere.add(exchange.getRequestMethod() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        other.start();
        try (LogCapture logs = new LogCapture();
                ControllerHarness h = new ControllerHarness()) {
            h.buildkite()
                    .enqueueGraphqlFault(Fault.redirect(
                            status, "http://127.0.0.1:" + other.getAddress().getPort() + "/v1"));
            String uuid = h.buildkite().scheduleCommand("echo", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);
            assertThat(elsewhere).as("requests the redirect target received").isEmpty();
            assertThat(logs.linesContaining("poll failed"))
                    .singleElement()
                    .asString()
                    .contains("poll failed (http_" + status + ")")
                    .contains("a redirect, not followed")
                    .doesNotContain(ControllerHarness.TOKEN);
        } finally {
            other.stop(0);
        }
    }
}
