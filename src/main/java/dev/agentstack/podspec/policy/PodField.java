package dev.agentstack.podspec.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A place in a pod spec, written two ways: with list indexes for people ({@code spec.containers[2]}) and with names
 * for comparing two builds of the same job ({@code spec.containers[agent]}).
 */
record PodField(String path, String key) {

    static final PodField SPEC = new PodField("spec", "spec");

    PodField field(String name) {
        return new PodField(path + "." + name, key + "." + name);
    }

    PodField item(String list, int index, String name) {
        return new PodField(path + "." + list + "[" + index + "]", key + "." + list + "[" + name + "]");
    }

    Violation violation(String rule, String detail, Object value) {
        return new Violation(rule, path, detail, rule + " " + key + "=" + value);
    }

    /** A container with the field it sits at. */
    record Located(Container container, PodField at) {}

    /** Every container of the pod, regular containers first, then init containers (sidecars included). */
    static List<Located> containers(PodSpec spec) {
        List<Located> all = new ArrayList<>();
        add(all, "containers", spec.getContainers());
        add(all, "initContainers", spec.getInitContainers());
        return all;
    }

    private static void add(List<Located> all, String list, List<Container> containers) {
        if (containers == null) {
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            all.add(new Located(
                    containers.get(i), SPEC.item(list, i, containers.get(i).getName())));
        }
    }
}
