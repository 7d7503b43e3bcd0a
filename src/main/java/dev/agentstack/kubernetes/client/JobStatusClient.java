package dev.agentstack.kubernetes.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;

/**
 * A client that never reads our Jobs' specs back: the Jobs informer and the reconcile's list ({@link JobCreateCall}
 * reads creation answers with the same serialization).
 * It shares the given client's configuration and HTTP connections, but its JSON reading skips the spec of
 * every batch/v1 Job: the pod template is most of a Job's bytes, nothing here reads it, and binding it on every watch
 * event was the controller's largest CPU cost with a backlog. fabric8 also turns each watch event into a tree before binding it; here a Job event is streamed instead, with its spec
 * skipped. Writing is unchanged: a Job created through it is sent whole, and the answer is read without its spec.
 * <p>
 * A Job read through it has no spec, so it must never be written back as it is. Never closed on its own, as
 * closing it would close the shared HTTP client; it lives as long as the client it was derived from.
 */
public final class JobStatusClient {

    private JobStatusClient() {}

    /**
     * The client derived from {@code client} (one per client, delivering its Job events on a thread of its own, see
     * {@link WatchClients}); the client itself when it is not fabric8's own.
     */
    public static KubernetesClient of(KubernetesClient client) {
        return WatchClients.of(client, "jobs", c -> serialization());
    }

    /** fabric8's serialization, with every Job read without its spec. */
    static DirectJsonSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.addMixIn(Job.class, JobWithoutSpec.class);
        mapper.addMixIn(WatchEvent.class, StreamedWatchEvent.class);
        return new DirectJsonSerialization(mapper);
    }

    /**
     * Reads JSON straight from what it is given. fabric8 encodes each watch message (a String) to bytes again and
     * reads every body through a fresh 8 KiB buffer to tell JSON from YAML; per event and per created Job that was the
     * largest single source of garbage. YAML still goes to fabric8's own reading.
     */
    static final class DirectJsonSerialization extends KubernetesSerialization {

        private final ObjectMapper mapper;

        DirectJsonSerialization(ObjectMapper mapper) {
            super(mapper, true);
            this.mapper = mapper;
        }

        @Override
        public <T> T unmarshal(String str, Class<T> type) {
            if (!isJson(firstNonWhitespace(str))) {
                return super.unmarshal(str, type);
            }
            try {
                return mapper.readValue(str, type);
            } catch (IOException e) {
                throw KubernetesClientException.launderThrowable(e);
            }
        }

        @Override
        public <T> T unmarshal(InputStream is, TypeReference<T> type) {
            if (!is.markSupported()) {
                return super.unmarshal(is, type);
            }
            try {
                is.mark(Integer.MAX_VALUE);
                int first;
                do {
                    first = is.read();
                } while (first > -1 && Character.isWhitespace(first));
                is.reset();
                return isJson(first) ? mapper.readerFor(type).readValue(is) : super.unmarshal(is, type);
            } catch (IOException e) {
                throw KubernetesClientException.launderThrowable(e);
            }
        }

        /** As {@link #asJson}, written straight to UTF-8 bytes rather than to a String that is encoded later. */
        byte[] asJsonBytes(Object object) {
            try {
                return mapper.writeValueAsBytes(object);
            } catch (IOException e) {
                throw KubernetesClientException.launderThrowable(e);
            }
        }

        /** A parser of JSON bytes that reads values as this serialization does. */
        JsonParser parser(byte[] json) throws IOException {
            return mapper.createParser(json);
        }

        private static int firstNonWhitespace(String str) {
            for (int i = 0; i < str.length(); i++) {
                if (!Character.isWhitespace(str.charAt(i))) {
                    return str.charAt(i);
                }
            }
            return -1;
        }

        private static boolean isJson(int first) {
            return first == '{' || first == '[';
        }
    }

    /** Job: spec is written as usual but never bound when read (Jackson skips its tokens). */
    @JsonIgnoreProperties(value = "spec", allowGetters = true)
    private abstract static class JobWithoutSpec {}

    /** WatchEvent: its object is read by {@link SpecSkippingResourceDeserializer} instead of through a whole tree. */
    private abstract static class StreamedWatchEvent {
        @JsonDeserialize(using = SpecSkippingResourceDeserializer.class)
        private Object object;

        @JsonDeserialize(using = SpecSkippingResourceDeserializer.class)
        abstract void setObject(Object object);
    }

    /**
     * Reads a watch event's object. A batch/v1 Job (the API server writes kind and apiVersion first) is streamed into a
     * Job with its spec skipped; anything else, such as the Status of an ERROR event, goes to fabric8's own
     * deserializer unchanged.
     */
    static final class SpecSkippingResourceDeserializer extends JsonDeserializer<Object> {

        /*
         * Looked up once per mapper (this instance belongs to one): Jackson's root-value lookup introspects the type's
         * annotations on every call, which was over a third of the cost of reading an event.
         */
        private volatile JsonDeserializer<Object> kubernetes;
        private volatile JsonDeserializer<Object> job;

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonDeserializer<Object> kubernetes = this.kubernetes;
            if (kubernetes == null) {
                kubernetes = ctxt.findRootValueDeserializer(ctxt.constructType(KubernetesResource.class));
                this.kubernetes = kubernetes;
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return kubernetes.deserialize(p, ctxt);
            }
            TokenBuffer kept = ctxt.bufferForInputBuffering(p);
            kept.writeStartObject();
            String kind = null;
            String apiVersion = null;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("kind")) {
                    kind = p.getText();
                } else if (value == JsonToken.VALUE_STRING && field.equals("apiVersion")) {
                    apiVersion = p.getText();
                } else if (field.equals("spec") && isJob(kind, apiVersion)) {
                    p.skipChildren();
                    continue;
                }
                kept.writeFieldName(field);
                kept.copyCurrentStructure(p);
            }
            kept.writeEndObject();
            try (JsonParser object = kept.asParserOnFirstToken()) {
                return (isJob(kind, apiVersion) ? jobDeserializer(ctxt) : kubernetes).deserialize(object, ctxt);
            }
        }

        private JsonDeserializer<Object> jobDeserializer(DeserializationContext ctxt) throws IOException {
            JsonDeserializer<Object> d = job;
            if (d == null) {
                d = ctxt.findRootValueDeserializer(ctxt.constructType(Job.class));
                job = d;
            }
            return d;
        }

        private static boolean isJob(String kind, String apiVersion) {
            return "Job".equals(kind) && "batch/v1".equals(apiVersion);
        }
    }
}
