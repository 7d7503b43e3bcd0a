package dev.agentstack.buildkite;

import dev.agentstack.runtime.Version;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client camel-graphql uses to reach Buildkite. camel-graphql's own client has no timeouts (a hung server
 * would hang the poll forever) and is bypassed when a client is given, so this one carries the token as well. It
 * follows no redirect (the token would go along to wherever it points) and reads no answer past max-response-size.
 */
public final class GraphqlHttpClients {

    private GraphqlHttpClients() {}

    /** For the buildkite-scheduled-jobs-source Kamelet: the timeout as the Kamelet's property text, e.g. 60s. */
    public static CloseableHttpClient forKamelet(String token, String timeout, String maxResponseSize) {
        return create(token, dev.agentstack.config.Durations.parse(timeout), ResponseSizeLimit.of(maxResponseSize));
    }

    public static CloseableHttpClient create(String token, Duration timeout, ResponseSizeLimit limit) {
        Timeout t = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(t)
                                .setSocketTimeout(t)
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(t)
                        .setResponseTimeout(t)
                        .build())
                .setDefaultHeaders(List.of(new BasicHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)))
                .setUserAgent(Version.userAgent())
                .disableCookieManagement()
                // A 3xx is a failed call (camel-graphql reports its status): following it would send the token on.
                .disableRedirectHandling()
                // Our poll loop owns retries: it logs each failure and honours Retry-After itself.
                .disableAutomaticRetries()
                // Outermost, so it sees the body after decompression: a small gzip answer cannot unpack past the limit.
                .addExecInterceptorFirst("response-size-limit", sizeLimited(limit))
                .build();
    }

    /** Reads each body no further than the limit, and drops the connection there rather than draining it. */
    static ExecChainHandler sizeLimited(ResponseSizeLimit limit) {
        return (ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain) -> {
            ClassicHttpResponse response = chain.proceed(request, scope);
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return response;
            }
            Runnable abort = () -> scope.execRuntime.discardEndpoint();
            try {
                limit.checkDeclared(entity.getContentLength());
            } catch (ResponseSizeLimit.Oversize e) {
                abort.run();
                throw e;
            }
            // Read here, whole: camel-graphql's EntityUtils.toString grows its buffer by doubling, so handing it a
            // stream would cost several times the limit before the limit is reached.
            byte[] body = limit.readAll(entity.getContent(), abort);
            response.setEntity(new ByteArrayEntity(
                    body, entity.getContentType() == null ? null : ContentType.parse(entity.getContentType())));
            return response;
        };
    }
}
