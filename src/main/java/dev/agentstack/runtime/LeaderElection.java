package dev.agentstack.runtime;

import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.camel.Route;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Which replica schedules. With {@code leader-election} on, replicas compete for a Kubernetes Lease through
 * camel-kubernetes' cluster service and routes marked {@code routePolicy: leaderOnly} run on the leader only; the
 * others stand by (their readiness is down) and take over when the Lease expires. Off, every route runs. The Lease and
 * the candidates' pods are in {@code leader-election-namespace} (default: the namespace Jobs are created in).
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

    /** The policy of routes that only the leader runs. */
    public RoutePolicy leaderOnlyPolicy() {
        if (service == null) {
            return new RoutePolicySupport() {
                @Override
                public void onInit(Route route) {
                    // leader election is off: every replica (there is one) runs every route
                }
            };
        }
        try {
            return ClusteredRoutePolicy.forNamespace(service, group);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the leader-only route policy: " + e.getMessage(), e);
        }
    }

    /** True when this replica should schedule: it holds the Lease, or leader election is off. */
    public boolean isLeader() {
        return service == null || service.isLeader(group);
    }
}
