package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.sandbox.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent API client reads no answer past max-response-size and follows no redirect with the agent token. */
class AgentApiAnswersTest {

    private final FakeBuildkite buildkite =
            FakeBuildkite.start("acme", "graphql-token").withAgentToken("agent-token");
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final JobFailer failer = new JobFailer(
            new AgentApi(
                    buildkite.agentEndpoint(),
                    Duration.ofSeconds(10),
                    "agent-stack-camel/test",
                    new ResponseSizeLimit(64 * 1024)),
            () -> "agent-token",
            Clock.systemUTC(),
            metrics,
            Duration.ofMillis(10));

    @AfterEach
    void close() {
        buildkite.close();
    }

    private FailureReport report(String uuid) {
        return new FailureReport(
                uuid, "buildkite-" + uuid, List.of("queue=kubernetes"), "image_pull", "no image", 1, false);
    }

    @Test
    void anOversizeAnswerIsAFailedCallThatIsCounted() {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        buildkite.enqueueAgentFault(Fault.huge(200L * 1024 * 1024, false));
        assertThatThrownBy(() -> failer.fail(report(uuid)))
                .isInstanceOf(ResponseSizeLimit.Oversize.class)
                .hasMessage("answer larger than max-response-size (65536 bytes); not read further");
        assertThat(metrics.counter("buildkite.api.oversize.responses", "api", "agent")
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aRedirectIsNotFollowedAndTheTokenGoesNowhereElse() throws IOException {
        List<String> elsewhere = new CopyOnWriteArrayList<>();
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        other.createContext("/", exchange -> {
            elsewhere.add(exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        other.start();
        try {
            String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
            buildkite.enqueueAgentFault(
                    Fault.redirect(307, "http://127.0.0.1:" + other.getAddress().getPort() + "/v3/register"));
            assertThatThrownBy(() -> failer.fail(report(uuid)))
                    .isInstanceOf(AgentApi.AgentApiException.class)
                    .hasMessage("agent API register answered 307: a redirect, not followed (the token goes to"
                            + " agent-endpoint only)");
            assertThat(elsewhere).isEmpty();
        } finally {
            other.stop(0);
        }
    }
}
