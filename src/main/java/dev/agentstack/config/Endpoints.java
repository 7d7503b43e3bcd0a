package dev.agentstack.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rule for the Buildkite endpoints (graphql-endpoint, agent-endpoint): the tokens travel with every request, so
 * only https, or plain http to this machine (127.0.0.0/8, ::1, localhost) for fakes and local proxies.
 */
final class Endpoints {

    private Endpoints() {}

    /** The problem with an endpoint URL, or null. The URL is not echoed: it may carry user-info. */
    static String problem(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return "must be an https URL, got an invalid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return "must be an https URL";
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            return "must be an https URL (plain http only to 127.0.0.1, ::1 or localhost), got http://" + uri.getHost();
        }
        return null;
    }

    /** A literal loopback address or localhost; no name is looked up. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("[::1]") || h.equals("::1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
