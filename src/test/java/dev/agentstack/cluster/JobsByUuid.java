package dev.agentstack.cluster;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.testing.ControllerHarness;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many Kubernetes Jobs the API server announced for each job uuid label over a test, whoever created them: a
 * watch sees every creation once, so a count above one is a duplicate even if TTL or a deletion later removed it.
 */
final class JobsByUuid implements AutoCloseable {

    private final Map<String, AtomicInteger> added = new ConcurrentHashMap<>();
    private final Watch watch;

    JobsByUuid(ControllerHarness h) {
        watch = h.client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(h.namespace())
                .withLabel(JobLabels.JOB_UUID)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                        if (action == Action.ADDED) {
                            String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
                            added.computeIfAbsent(uuid, u -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // the test ends; a watch error would show as missing counts
                    }
                });
    }

    int created() {
        return added.size();
    }

    boolean allCreated(List<String> uuids) {
        return added.keySet().containsAll(uuids);
    }

    /** The count of Jobs by uuid, for an assertion that each is exactly one. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        added.forEach((uuid, n) -> counts.put(uuid, n.get()));
        return counts;
    }

    @Override
    public void close() {
        watch.close();
    }
}
