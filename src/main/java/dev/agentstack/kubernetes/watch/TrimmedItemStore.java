package dev.agentstack.kubernetes.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer cache that keeps only what the routes read of each object (labels, annotations, status, and for pods
 * the containers' names, images, restart policies and resources), not whole pod templates: with thousands of Jobs
 * the full objects were most of the controller's heap. Events for new states carry the object as it was read (a Job
 * without its spec, see {@link dev.agentstack.kubernetes.client.JobStatusClient}); resyncs, deletions and the previous
 * state of an update carry the trimmed one.
 */
final class TrimmedItemStore<V extends HasMetadata> extends BasicItemStore<V> {

    private final UnaryOperator<V> trim;

    TrimmedItemStore(UnaryOperator<V> trim) {
        super(Cache::metaNamespaceKeyFunc);
        this.trim = trim;
    }

    @Override
    public V put(String key, V obj) {
        return super.put(key, obj == null ? null : trim.apply(obj));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /** The metadata the routes read. */
    static ObjectMeta metadata(ObjectMeta m) {
        return new ObjectMetaBuilder()
                .withName(m.getName())
                .withNamespace(m.getNamespace())
                .withUid(m.getUid())
                .withResourceVersion(m.getResourceVersion())
                .withCreationTimestamp(m.getCreationTimestamp())
                .withDeletionTimestamp(m.getDeletionTimestamp())
                .withLabels(m.getLabels())
                .withAnnotations(m.getAnnotations())
                .build();
    }
}
