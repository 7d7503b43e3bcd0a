package dev.agentstack.testing;

import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.scheduling.InFlightJobs;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Watches the API server and counts unfinished Jobs after every change it sees. */
public final class UnfinishedJobsObserver implements AutoCloseable {
    public final Map<String, Boolean> finished = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> added = new ConcurrentHashMap<>();
    public final AtomicInteger max = new AtomicInteger();
    private final Watch watch;

    public UnfinishedJobsObserver(ControllerHarness h) {
        watch = h.kubernetes()
                .client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(ControllerHarness.NAMESPACE)
                .watch(new Watcher<Job>() {
                    @Override
                    public synchronized void eventReceived(Action action, Job job) {
                        String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
                        if (action == Action.ADDED) {
                            added.computeIfAbsent(uuid, k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                        if (action == Action.DELETED) {
                            finished.put(uuid, true);
                        } else {
                            finished.put(uuid, InFlightJobs.isFinished(job));
                        }
                        max.accumulateAndGet(
                                (int) finished.values().stream().filter(f -> !f).count(), Math::max);
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }

    @Override
    public void close() {
        watch.close();
    }
}
