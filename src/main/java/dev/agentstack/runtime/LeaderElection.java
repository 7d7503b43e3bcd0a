package dev.agentstack.runtime;

import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

/**
 * Which replica acts. With {@code leader-election} on, replicas compete for a Kubernetes Lease through
 * camel-kubernetes' cluster service; the others stand by (their readiness is down) and take over when the Lease
 * expires. Off, this replica leads. The Lease and the candidates' pods are in {@code leader-election-namespace}
 * (default: the namespace Jobs are created in).
 *
 * <p>Every replica runs every route and watches our Jobs and pods, so a standby knows the cluster the moment it takes
 * over. What only the leader may do sits behind one kind of step, a filter that calls {@link #isLeader()} on the
 * {@code leaderElection} bean, with an id that starts {@code only-the-leader}; the source Kamelet's poll has the same
 * check as its first step.
 *
 * <p>Camel's cluster service counts only Running pods whose Ready condition is true, and carrying the
 * {@code leader-election-pod-selector} labels, as candidates, and a leader keeps the Lease for as long as its pod is
 * one: when the leader's pod ends or turns unready, a standby acquires the Lease and starts leading one lease duration
 * later. So the pod's readiness probe must not fail for standing by: it uses {@code /observe/health/pod} (see
 * {@link ControllerHealth}), and {@code /observe/health/ready} reports standby for people and dashboards.
 */
public final class LeaderElection {

    private final KubernetesClusterService service;
    private final String group;
    private volatile boolean viewRequested;

    private LeaderElection(KubernetesClusterService service, String group) {
        this.service = service;
        this.group = group;
    }

    public static LeaderElection of(ControllerConfig config, KubernetesClient client, String identity) {
        if (!config.leaderElection()) {
            return new LeaderElection(null, null);
        }
        // Camel names the Lease <resource name>-<group>: split the configured name at its last '-'.
        String lease = config.leaderElectionLeaseName();
        int dash = lease.lastIndexOf('-');
        KubernetesConfiguration k8s = new KubernetesConfiguration();
        k8s.setKubernetesClient(client);
        KubernetesClusterService service = new KubernetesClusterService(k8s);
        service.setId("agent-stack-camel-leader-election");
        service.setLeaseResourceType(LeaseResourceType.Lease);
        // The Lease and the candidates' pods: next to the controller, which may create Jobs elsewhere.
        service.setKubernetesResourcesNamespace(config.leaderElectionNamespace());
        service.setKubernetesResourceName(lease.substring(0, dash));
        service.setPodName(identity);
        // Camel only lets Running, Ready pods with these labels lead; without labels it would list every job pod.
        service.setClusterLabels(config.leaderElectionPodSelector());
        service.setLeaseDurationMillis(config.leaderElectionLeaseDuration().toMillis());
        service.setRenewDeadlineMillis(config.leaderElectionRenewDeadline().toMillis());
        service.setRetryPeriodMillis(config.leaderElectionRetryPeriod().toMillis());
        return new LeaderElection(service, lease.substring(dash + 1));
    }

    /** This replica's name in the election: POD_NAME (the chart sets it), else HOSTNAME, else the host name. */
    public static String defaultIdentity() {
        for (String name : new String[] {"POD_NAME", "HOSTNAME"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "agent-stack-camel";
        }
    }

    public boolean enabled() {
        return service != null;
    }

    /** The cluster service to add to the Camel context, or null when leader election is off. */
    public CamelClusterService service() {
        return service;
    }

    /** True when this replica should act: it holds the Lease, or leader election is off. */
    public boolean isLeader() {
        if (service == null) {
            return true;
        }
        if (!viewRequested) {
            joinElection();
        }
        return service.isLeader(group);
    }

    /** The cluster service only elects within a view someone asked for; ask once, when the service has started. */
    private synchronized void joinElection() {
        if (viewRequested || !service.isStarted()) {
            return;
        }
        try {
            service.getView(group);
            viewRequested = true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the leader election: " + e.getMessage(), e);
        }
    }
}
