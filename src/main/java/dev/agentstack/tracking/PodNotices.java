package dev.agentstack.tracking;

import dev.agentstack.buildkite.stacks.StackNotifications;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.memory.RecentKeys;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.component.kubernetes.KubernetesConstants;

/**
 * The pod watch's notes on jobs' timelines (Stacks API only): what {@link PodFailureClassifier#notices} finds in a pod
 * event is queued for the job's queue, each {@link PodNotice#key} once (remembered for as long as
 * reported findings are). Queuing never waits, so the watch never does.
 */
public final class PodNotices {

    static final int MEMORY = 10_000;

    private final PodFailureClassifier classifier;
    private final StackNotifications notifications;
    private final String defaultQueue;
    private final Clock clock;
    private final RecentKeys<String> told = new RecentKeys<>(MEMORY, Findings.MEMORY_TTL);

    /** @param defaultQueue the queue of a pod without a queue tag label */
    public PodNotices(
            PodFailureClassifier classifier, StackNotifications notifications, String defaultQueue, Clock clock) {
        this.classifier = classifier;
        this.notifications = notifications;
        this.defaultQueue = defaultQueue;
        this.clock = clock;
    }

    /** Called for every pod event. */
    public void onPodEvent(@Header(KubernetesConstants.KUBERNETES_EVENT_ACTION) String action, @Body Pod pod) {
        if ("DELETED".equals(action)) {
            return;
        }
        for (PodNotice notice : classifier.notices(pod, clock.instant())) {
            if (!told.contains(notice.key())) {
                told.add(notice.key());
                notifications.notify(queueOf(pod), notice.uuid(), notice.detail());
            }
        }
    }

    private String queueOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        String queue = labels == null ? null : labels.get(JobLabels.QUEUE);
        return queue == null ? defaultQueue : queue;
    }
}
