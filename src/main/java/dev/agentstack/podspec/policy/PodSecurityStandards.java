package dev.agentstack.podspec.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.WindowsSecurityContextOptions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The controls of the Kubernetes Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
 * field by field, as the API server's Pod Security Admission applies them: {@code baseline} forbids the known privilege
 * escalations, {@code restricted} adds the hardening rules, {@code privileged} allows everything. Every container
 * counts: init containers and sidecars too. A pure function of the pod spec and its annotations.
 */
public final class PodSecurityStandards {

    static final Set<String> BASELINE_CAPABILITIES = Set.of(
            "AUDIT_WRITE",
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "MKNOD",
            "NET_BIND_SERVICE",
            "SETFCAP",
            "SETGID",
            "SETPCAP",
            "SETUID",
            "SYS_CHROOT");
    static final Set<String> SAFE_SYSCTLS = Set.of(
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes");
    static final Set<String> SELINUX_TYPES =
            Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
    static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");
    static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PodSecurityStandards() {}

    /** What the pod breaks at this level; empty when it meets it. */
    public static List<Violation> check(PodSpec spec, Map<String, String> podAnnotations, PodSecurityLevel level) {
        List<Violation> found = new ArrayList<>();
        if (level.atLeast(PodSecurityLevel.BASELINE)) {
            baseline(spec, podAnnotations == null ? Map.of() : podAnnotations, found);
        }
        if (level.atLeast(PodSecurityLevel.RESTRICTED)) {
            restricted(spec, found);
        }
        return found;
    }

    private static void baseline(PodSpec spec, Map<String, String> annotations, List<Violation> found) {
        PodSecurityContext pod = spec.getSecurityContext();
        PodField podSc = PodField.SPEC.field("securityContext");
        if (pod != null) {
            hostProcess(pod.getWindowsOptions(), podSc, found);
            appArmor(pod.getAppArmorProfile(), podSc, found);
            seLinux(pod.getSeLinuxOptions(), podSc, found);
            seccompNotUnconfined(pod.getSeccompProfile(), podSc, found);
            if (pod.getSysctls() != null) {
                for (int i = 0; i < pod.getSysctls().size(); i++) {
                    String name = pod.getSysctls().get(i).getName();
                    if (name == null || !SAFE_SYSCTLS.contains(name)) {
                        found.add(podSc.item("sysctls", i, name)
                                .field("name")
                                .violation("baseline/sysctls", "is " + name + ", not a safe sysctl", name));
                    }
                }
            }
        }
        hostNamespace(spec.getHostNetwork(), "hostNetwork", found);
        hostNamespace(spec.getHostPID(), "hostPID", found);
        hostNamespace(spec.getHostIPC(), "hostIPC", found);
        List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            if (v.getHostPath() != null) {
                found.add(PodField.SPEC
                        .item("volumes", i, v.getName())
                        .field("hostPath")
                        .violation(
                                "baseline/host-path-volumes",
                                "mounts " + v.getHostPath().getPath() + " of the node",
                                v.getHostPath().getPath()));
            }
        }
        annotations.forEach((k, v) -> {
            if (k.startsWith(APPARMOR_ANNOTATION)
                    && !"runtime/default".equals(v)
                    && (v == null || !v.startsWith("localhost/"))) {
                found.add(new Violation(
                        "baseline/apparmor",
                        "metadata.annotations[\"" + k + "\"]",
                        "is " + v + " (runtime/default or localhost/* only)",
                        "baseline/apparmor " + k + "=" + v));
            }
        });
        for (PodField.Located c : PodField.containers(spec)) {
            baselineContainer(c.container(), c.at(), found);
        }
    }

    private static void baselineContainer(Container c, PodField at, List<Violation> found) {
        SecurityContext sc = c.getSecurityContext();
        PodField scAt = at.field("securityContext");
        if (sc != null) {
            hostProcess(sc.getWindowsOptions(), scAt, found);
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                found.add(scAt.field("privileged").violation("baseline/privileged", "is true", true));
            }
            Capabilities caps = sc.getCapabilities();
            if (caps != null && caps.getAdd() != null) {
                for (int i = 0; i < caps.getAdd().size(); i++) {
                    String cap = caps.getAdd().get(i);
                    if (cap == null || !BASELINE_CAPABILITIES.contains(cap)) {
                        found.add(new PodField(
                                        scAt.path() + ".capabilities.add[" + i + "]", scAt.key() + ".capabilities.add")
                                .violation(
                                        "baseline/capabilities",
                                        "adds " + cap + ", which the baseline level does not allow",
                                        cap));
                    }
                }
            }
            appArmor(sc.getAppArmorProfile(), scAt, found);
            seLinux(sc.getSeLinuxOptions(), scAt, found);
            if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
                found.add(scAt.field("procMount")
                        .violation(
                                "baseline/proc-mount",
                                "is " + sc.getProcMount() + " (Default only)",
                                sc.getProcMount()));
            }
            seccompNotUnconfined(sc.getSeccompProfile(), scAt, found);
        }
        List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
        for (int i = 0; i < ports.size(); i++) {
            Integer hostPort = ports.get(i).getHostPort();
            if (hostPort != null && hostPort != 0) {
                found.add(new PodField(at.path() + ".ports[" + i + "].hostPort", at.key() + ".ports.hostPort")
                        .violation("baseline/host-ports", "is " + hostPort + ": a port of the node", hostPort));
            }
        }
    }

    private static void restricted(PodSpec spec, List<Violation> found) {
        List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            String type = volumeType(volumes.get(i));
            if (type != null && !RESTRICTED_VOLUME_TYPES.contains(type)) {
                found.add(PodField.SPEC
                        .item("volumes", i, volumes.get(i).getName())
                        .field(type)
                        .violation(
                                "restricted/volume-types",
                                "is a " + type + " volume (configMap, csi, downwardAPI, emptyDir,"
                                        + " ephemeral, persistentVolumeClaim, projected and secret only)",
                                type));
            }
        }
        PodSecurityContext pod = spec.getSecurityContext();
        PodField podSc = PodField.SPEC.field("securityContext");
        boolean podNonRoot = pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot());
        String podSeccomp = pod == null || pod.getSeccompProfile() == null
                ? null
                : pod.getSeccompProfile().getType();
        if (pod != null && pod.getRunAsNonRoot() != null && !pod.getRunAsNonRoot()) {
            found.add(podSc.field("runAsNonRoot").violation("restricted/run-as-non-root", "is false", false));
        }
        if (pod != null && Long.valueOf(0).equals(pod.getRunAsUser())) {
            found.add(podSc.field("runAsUser").violation("restricted/run-as-user", "is 0 (root)", 0));
        }
        if (podSeccomp != null && !isRestrictedSeccomp(podSeccomp)) {
            found.add(podSc.field("seccompProfile.type")
                    .violation(
                            "restricted/seccomp", "is " + podSeccomp + " (RuntimeDefault or Localhost)", podSeccomp));
        }
        for (PodField.Located located : PodField.containers(spec)) {
            Container c = located.container();
            PodField sc = located.at().field("securityContext");
            SecurityContext s = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
            if (!Boolean.FALSE.equals(s.getAllowPrivilegeEscalation())) {
                found.add(sc.field("allowPrivilegeEscalation")
                        .violation(
                                "restricted/privilege-escalation",
                                "must be false, is " + s.getAllowPrivilegeEscalation(),
                                s.getAllowPrivilegeEscalation()));
            }
            if (Boolean.FALSE.equals(s.getRunAsNonRoot()) || s.getRunAsNonRoot() == null && !podNonRoot) {
                found.add(sc.field("runAsNonRoot")
                        .violation(
                                "restricted/run-as-non-root",
                                "must be true (here or in spec.securityContext), is " + s.getRunAsNonRoot(),
                                s.getRunAsNonRoot()));
            }
            if (Long.valueOf(0).equals(s.getRunAsUser())) {
                found.add(sc.field("runAsUser").violation("restricted/run-as-user", "is 0 (root)", 0));
            }
            String seccomp =
                    s.getSeccompProfile() == null ? null : s.getSeccompProfile().getType();
            if (seccomp == null ? podSeccomp == null : !isRestrictedSeccomp(seccomp)) {
                found.add(sc.field("seccompProfile.type")
                        .violation(
                                "restricted/seccomp",
                                "must be RuntimeDefault or" + " Localhost (here or in spec.securityContext), is "
                                        + seccomp,
                                seccomp));
            }
            Capabilities caps = s.getCapabilities();
            if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                found.add(sc.field("capabilities.drop")
                        .violation(
                                "restricted/capabilities", "must contain ALL", caps == null ? null : caps.getDrop()));
            }
            if (caps != null && caps.getAdd() != null) {
                for (int i = 0; i < caps.getAdd().size(); i++) {
                    String cap = caps.getAdd().get(i);
                    if (!"NET_BIND_SERVICE".equals(cap)) {
                        found.add(new PodField(
                                        sc.path() + ".capabilities.add[" + i + "]", sc.key() + ".capabilities.add")
                                .violation("restricted/capabilities", "adds " + cap + " (NET_BIND_SERVICE only)", cap));
                    }
                }
            }
        }
    }

    private static boolean isRestrictedSeccomp(String type) {
        return "RuntimeDefault".equals(type) || "Localhost".equals(type);
    }

    private static void hostNamespace(Boolean value, String field, List<Violation> found) {
        if (Boolean.TRUE.equals(value)) {
            found.add(PodField.SPEC
                    .field(field)
                    .violation("baseline/host-namespaces", "is true: the pod shares the node's namespace", true));
        }
    }

    private static void hostProcess(WindowsSecurityContextOptions windows, PodField at, List<Violation> found) {
        if (windows != null && Boolean.TRUE.equals(windows.getHostProcess())) {
            found.add(at.field("windowsOptions.hostProcess").violation("baseline/host-process", "is true", true));
        }
    }

    private static void appArmor(AppArmorProfile profile, PodField at, List<Violation> found) {
        if (profile != null
                && profile.getType() != null
                && !"RuntimeDefault".equals(profile.getType())
                && !"Localhost".equals(profile.getType())) {
            found.add(at.field("appArmorProfile.type")
                    .violation(
                            "baseline/apparmor",
                            "is " + profile.getType() + " (RuntimeDefault or Localhost)",
                            profile.getType()));
        }
    }

    private static void seLinux(SELinuxOptions options, PodField at, List<Violation> found) {
        if (options == null) {
            return;
        }
        if (options.getType() != null && !SELINUX_TYPES.contains(options.getType())) {
            found.add(at.field("seLinuxOptions.type")
                    .violation(
                            "baseline/selinux",
                            "is " + options.getType()
                                    + " (container_t, container_init_t, container_kvm_t or container_engine_t)",
                            options.getType()));
        }
        for (Map.Entry<String, String> field : List.of(
                Map.entry("user", nullToEmpty(options.getUser())), Map.entry("role", nullToEmpty(options.getRole())))) {
            if (!field.getValue().isEmpty()) {
                found.add(at.field("seLinuxOptions." + field.getKey())
                        .violation("baseline/selinux", "must not be set, is " + field.getValue(), field.getValue()));
            }
        }
    }

    private static void seccompNotUnconfined(SeccompProfile profile, PodField at, List<Violation> found) {
        if (profile != null && "Unconfined".equals(profile.getType())) {
            found.add(at.field("seccompProfile.type").violation("baseline/seccomp", "is Unconfined", "Unconfined"));
        }
    }

    /** The volume's source field (hostPath, emptyDir, nfs, ...), or null for a volume without one. */
    static String volumeType(Volume volume) {
        ObjectNode json = JSON.valueToTree(volume);
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("name") && !json.get(field).isNull()) {
                return field;
            }
        }
        return null;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
