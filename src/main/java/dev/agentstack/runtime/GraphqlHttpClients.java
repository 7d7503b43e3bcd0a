package dev.agentstack.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client camel-graphql uses to reach Buildkite. camel-graphql's own client has no timeouts (a hung server
 * would hang the poll forever) and is bypassed when a client is given, so this one carries the token as well.
 */
public final class GraphqlHttpClients {

    private GraphqlHttpClients() {
    }

    /** For the buildkite-scheduled-jobs-source Kamelet: the timeout as the Kamelet's property text, e.g. 60s. */
    public static CloseableHttpClient forKamelet(String token, String timeout) {
        return create(token, dev.agentstack.config.Durations.parse(timeout));
    }

    public static CloseableHttpClient create(String token, Duration timeout) {
        Timeout t = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(t).setSocketTimeout(t).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(t).setResponseTimeout(t).build())
                .setDefaultHeaders(List.of(new BasicHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)))
                .setUserAgent(Version.userAgent())
                .disableCookieManagement()
                // Our poll loop owns retries: it logs each failure and honours Retry-After itself.
                .disableAutomaticRetries()
                .build();
    }
}
