package dev.agentstack.sandbox;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Teaches the mock API server the field selectors the real one supports on Events ({@code involvedObject.kind},
 * {@code .name}, {@code .namespace}, {@code .uid}): fabric8's CRUD dispatcher only matches metadata fields and would
 * answer such a list with nothing. Other requests pass through unchanged.
 */
final class EventFieldSelectors extends Dispatcher {

    private static final String PREFIX = "involvedObject.";
    private final Dispatcher delegate;

    EventFieldSelectors(Dispatcher delegate) {
        this.delegate = delegate;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        int q = path == null ? -1 : path.indexOf('?');
        if (!"GET".equals(request.getMethod())
                || q < 0
                || !path.substring(0, q).endsWith("/events")
                || path.contains("watch=true")) {
            return delegate.dispatch(request);
        }
        Map<String, String> params = QueryStrings.parse(path.substring(q + 1));
        String selector = params.get("fieldSelector");
        if (selector == null || !selector.contains(PREFIX)) {
            return delegate.dispatch(request);
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        for (String requirement : selector.split(",")) {
            int eq = requirement.indexOf('=');
            if (requirement.startsWith(PREFIX) && eq > 0) {
                wanted.put(requirement.substring(PREFIX.length(), eq), requirement.substring(eq + 1));
            } else {
                kept.add(requirement);
            }
        }
        if (kept.isEmpty()) {
            params.remove("fieldSelector");
        } else {
            params.put("fieldSelector", String.join(",", kept));
        }
        StringBuilder rewritten = new StringBuilder(path.substring(0, q));
        String sep = "?";
        for (Map.Entry<String, String> p : params.entrySet()) {
            rewritten
                    .append(sep)
                    .append(p.getKey())
                    .append('=')
                    .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
            sep = "&";
        }
        MockResponse response = delegate.dispatch(new RecordedRequest(
                request.getHttpVersion(),
                request.method(),
                rewritten.toString(),
                request.getHeaders(),
                request.getBody()));
        EventList all = Serialization.unmarshal(response.getBody().readUtf8(), EventList.class);
        List<Event> matching = new ArrayList<>();
        for (Event e : all.getItems()) {
            if (matches(e.getInvolvedObject(), wanted)) {
                matching.add(e);
            }
        }
        all.setItems(matching);
        return response.setBody(Serialization.asJson(all));
    }

    private static boolean matches(ObjectReference ref, Map<String, String> wanted) {
        if (ref == null) {
            return false;
        }
        Map<String, Function<ObjectReference, String>> fields = Map.of(
                "kind",
                ObjectReference::getKind,
                "name",
                ObjectReference::getName,
                "namespace",
                ObjectReference::getNamespace,
                "uid",
                ObjectReference::getUid);
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            Function<ObjectReference, String> field = fields.get(w.getKey());
            if (field == null || !w.getValue().equals(field.apply(ref))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }
}
