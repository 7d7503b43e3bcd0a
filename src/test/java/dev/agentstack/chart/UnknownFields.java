package dev.agentstack.chart;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fields of a parsed Kubernetes object that fabric8's model does not know. fabric8 keeps them in
 * {@code additionalProperties} instead of failing, so a misspelt template key ({@code readinesProbe}) would parse; the
 * API server would drop or refuse it.
 */
final class UnknownFields {

    private UnknownFields() {}

    /** Paths of the unknown fields, e.g. {@code spec.template.spec.containers[0].readinesProbe}. */
    static List<String> in(Object object) {
        List<String> found = new ArrayList<>();
        walk(object, "", found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, child(path, String.valueOf(k)), found));
            return;
        }
        if (value == null || !isModel(value.getClass())) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> found.add(child(path, String.valueOf(k))));
                }
            } else {
                String name = Character.toLowerCase(getter.getName().charAt(3))
                        + getter.getName().substring(4);
                walk(child, child(path, name), found);
            }
        }
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /**
     * fabric8's generated model: Kubernetes' (io.fabric8.kubernetes.api.model) and the extensions' (PodMonitor, ...).
     */
    private static boolean isModel(Class<?> type) {
        return type.getPackageName().startsWith("io.fabric8.")
                && type.getPackageName().contains(".api.model");
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(getter + ": " + e.getMessage(), e);
        }
    }
}
