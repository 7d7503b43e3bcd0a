package dev.agentstack.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.buildkite.BuildkiteJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a Buildkite pipeline file as users write it and synthesises the jobs Buildkite would schedule from it, the way
 * the GraphQL API would describe them (uuid, command, agent query rules, env with BUILDKITE_PLUGINS and friends).
 * {@code render} and demo mode both go through it.
 *
 * <p>Understood: {@code steps} (command steps, and the steps nested in {@code group} steps; {@code wait},
 * {@code block}, {@code input} and {@code trigger} steps make no job), {@code command}/{@code commands} (a list is
 * newline-joined), {@code env} and {@code agents} at pipeline and step level (the step wins; agents as a map or a
 * {@code k=v} list), {@code plugins} as a list or a map, {@code parallelism}, {@code image}, {@code key},
 * {@code label}/{@code name}, {@code priority}.
 */
public final class PipelineReader {

    /** The plugin key Buildkite gives the kubernetes plugin once it has normalised a step's plugins. */
    public static final String KUBERNETES_PLUGIN = "github.com/buildkite-plugins/kubernetes-buildkite-plugin";

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Each parallel job is synthesised here, so a typo such as {@code parallelism: 100000000} must be refused before
     * it fills the heap; no pipeline a person runs locally has more.
     */
    static final int MAX_PARALLELISM = 1000;

    private static final List<String> NON_COMMAND_STEPS = List.of("wait", "waiter", "block", "input", "trigger");

    private final PipelineContext context;
    private final Supplier<String> uuids;

    /**
     * @param context where the synthetic build lives (organization, pipeline, branch, repository, build number)
     * @param uuids   job uuids, one per job, in step order
     */
    public PipelineReader(PipelineContext context, Supplier<String> uuids) {
        this.context = context;
        this.uuids = uuids;
    }

    /** Every job the pipeline's steps would schedule, in step order; the first step that cannot be read is an error. */
    public List<PipelineJob> read(String yaml) {
        List<PipelineJob> jobs = readEach(yaml);
        for (PipelineJob job : jobs) {
            if (job.problem() != null) {
                throw new PipelineException(job.stepName() + ": " + job.problem());
            }
        }
        return jobs;
    }

    /**
     * Every job the pipeline's steps would schedule, in step order, with an entry carrying the problem for each
     * command step that cannot be read (so one bad step does not hide the others). A file that is not a pipeline
     * at all is still an error.
     */
    public List<PipelineJob> readEach(String yaml) {
        Object doc = YamlTree.read(yaml);
        Object stepsNode;
        Map<String, Object> pipeline = Map.of();
        if (doc instanceof List<?> list) {
            stepsNode = list; // a bare list of steps is a valid pipeline too
        } else if (doc instanceof Map<?, ?> map) {
            pipeline = stringKeys(map, "pipeline");
            stepsNode = pipeline.get("steps");
        } else {
            throw new PipelineException("expected a pipeline with steps, got " + describe(doc));
        }
        if (!(stepsNode instanceof List<?> steps)) {
            throw new PipelineException("steps: expected a list of steps, got " + describe(stepsNode));
        }
        Map<String, String> pipelineEnv = env(pipeline.get("env"), "env");
        Map<String, String> pipelineAgents = agents(pipeline.get("agents"), "agents");
        String pipelineImage = pipeline.get("image") instanceof String s ? s : null;
        List<PipelineJob> jobs = new ArrayList<>();
        readSteps(steps, "steps", pipelineEnv, pipelineAgents, pipelineImage, jobs);
        return jobs;
    }

    private void readSteps(
            List<?> steps,
            String path,
            Map<String, String> pipelineEnv,
            Map<String, String> pipelineAgents,
            String pipelineImage,
            List<PipelineJob> out) {
        for (int i = 0; i < steps.size(); i++) {
            Object node = steps.get(i);
            String at = path + "[" + i + "]";
            if (node instanceof String s) {
                if (NON_COMMAND_STEPS.contains(s)) {
                    continue;
                }
                throw new PipelineException(at + ": \"" + s + "\" is not a step");
            }
            if (!(node instanceof Map<?, ?> raw)) {
                throw new PipelineException(at + ": expected a step, got " + describe(node));
            }
            Map<String, Object> step = stringKeys(raw, at);
            if (NON_COMMAND_STEPS.stream().anyMatch(step::containsKey) || "wait".equals(step.get("type"))) {
                continue;
            }
            if (step.containsKey("group")) {
                if (!(step.get("steps") instanceof List<?> nested)) {
                    throw new PipelineException(at + ".steps: a group needs a list of steps");
                }
                readSteps(nested, at + ".steps", pipelineEnv, pipelineAgents, pipelineImage, out);
                continue;
            }
            try {
                readCommandStep(step, at, pipelineEnv, pipelineAgents, pipelineImage, out);
            } catch (PipelineException e) {
                String label =
                        step.get("label") instanceof String l ? l : step.get("name") instanceof String n ? n : null;
                String key = step.get("key") instanceof String k ? k : null;
                out.add(PipelineJob.unreadable(label != null || key != null ? label : at, key, e.getMessage()));
            }
        }
    }

    private void readCommandStep(
            Map<String, Object> step,
            String at,
            Map<String, String> pipelineEnv,
            Map<String, String> pipelineAgents,
            String pipelineImage,
            List<PipelineJob> out) {
        String label = text(step.get("label"), at + ".label");
        if (label == null) {
            label = text(step.get("name"), at + ".name");
        }
        String key = text(step.get("key"), at + ".key");
        if (key == null) {
            key = text(step.get("identifier"), at + ".identifier");
        }
        String command = command(step, at);
        Map<String, String> env = new LinkedHashMap<>(pipelineEnv);
        env.putAll(env(step.get("env"), at + ".env"));
        Map<String, String> agents = new LinkedHashMap<>(pipelineAgents);
        agents.putAll(agents(step.get("agents"), at + ".agents"));
        String plugins = pluginsJson(step.get("plugins"), at + ".plugins");
        String image = step.get("image") instanceof String s ? s : pipelineImage;
        int parallelism = step.get("parallelism") == null ? 1 : integer(step.get("parallelism"), at + ".parallelism");
        int priority = step.get("priority") == null ? 0 : integer(step.get("priority"), at + ".priority");
        if (parallelism < 1) {
            throw new PipelineException(at + ".parallelism: must be at least 1, got " + parallelism);
        }
        if (parallelism > MAX_PARALLELISM) {
            throw new PipelineException(at + ".parallelism: at most " + MAX_PARALLELISM + ", got " + parallelism);
        }
        String shownLabel = label != null
                ? label
                : key != null ? key : command.lines().findFirst().orElse(at);
        List<String> rules = new ArrayList<>();
        agents.forEach((k, v) -> rules.add(k + "=" + v));
        for (int n = 0; n < parallelism; n++) {
            String uuid = uuids.get();
            Map<String, String> jobEnv = new LinkedHashMap<>();
            jobEnv.put("BUILDKITE", "true");
            jobEnv.put("CI", "true");
            jobEnv.put("BUILDKITE_ORGANIZATION_SLUG", context.org());
            jobEnv.put("BUILDKITE_PIPELINE_SLUG", context.pipeline());
            jobEnv.put("BUILDKITE_BUILD_NUMBER", String.valueOf(context.buildNumber()));
            jobEnv.put("BUILDKITE_BUILD_URL", context.buildUrl());
            jobEnv.put("BUILDKITE_BRANCH", context.branch());
            jobEnv.put("BUILDKITE_REPO", context.repo());
            jobEnv.put("BUILDKITE_JOB_ID", uuid);
            jobEnv.put("BUILDKITE_LABEL", shownLabel);
            if (key != null) {
                jobEnv.put("BUILDKITE_STEP_KEY", key);
            }
            jobEnv.put("BUILDKITE_COMMAND", command);
            if (plugins != null) {
                jobEnv.put("BUILDKITE_PLUGINS", plugins);
            }
            if (image != null) {
                jobEnv.put("BUILDKITE_IMAGE", image);
            }
            if (parallelism > 1) {
                jobEnv.put("BUILDKITE_PARALLEL_JOB", String.valueOf(n));
                jobEnv.put("BUILDKITE_PARALLEL_JOB_COUNT", String.valueOf(parallelism));
            }
            jobEnv.putAll(env);
            List<String> envList = new ArrayList<>();
            jobEnv.forEach((k, v) -> envList.add(k + "=" + v));
            BuildkiteJob job = new BuildkiteJob(null, uuid, command, rules, priority, (Instant) null, envList);
            out.add(new PipelineJob(
                    parallelism > 1 ? shownLabel + " (" + (n + 1) + "/" + parallelism + ")" : shownLabel, key, job));
        }
    }

    private static String command(Map<String, Object> step, String at) {
        Object c = step.containsKey("commands") ? step.get("commands") : step.get("command");
        String where = at + (step.containsKey("commands") ? ".commands" : ".command");
        if (c == null) {
            return "";
        }
        if (c instanceof List<?> list) {
            List<String> lines = new ArrayList<>();
            for (Object o : list) {
                lines.add(text(o, where));
            }
            return String.join("\n", lines);
        }
        return text(c, where);
    }

    /** BUILDKITE_PLUGINS as Buildkite sends it: a JSON array of single-key objects with normalised keys. */
    private static String pluginsJson(Object plugins, String at) {
        if (plugins == null) {
            return null;
        }
        List<Map<String, Object>> normalised = new ArrayList<>();
        if (plugins instanceof Map<?, ?> map) {
            stringKeys(map, at).forEach((k, v) -> normalised.add(single(normalisePluginKey(k), v)));
        } else if (plugins instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object p = list.get(i);
                if (p instanceof String s) {
                    normalised.add(single(normalisePluginKey(s), null));
                } else if (p instanceof Map<?, ?> m && m.size() == 1) {
                    Map.Entry<?, ?> e = m.entrySet().iterator().next();
                    normalised.add(single(normalisePluginKey(String.valueOf(e.getKey())), e.getValue()));
                } else {
                    throw new PipelineException(at + "[" + i + "]: expected a plugin name or a single-key map");
                }
            }
        } else {
            throw new PipelineException(at + ": expected a list or a map of plugins, got " + describe(plugins));
        }
        try {
            return JSON.writeValueAsString(normalised);
        } catch (JsonProcessingException e) {
            throw new PipelineException(at + ": cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static Map<String, Object> single(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, value);
        return m;
    }

    /**
     * The key Buildkite normalises a plugin reference to: {@code kubernetes} and {@code docker#v5} become
     * {@code github.com/buildkite-plugins/<name>-buildkite-plugin[#version]}, {@code org/name} becomes
     * {@code github.com/org/name-buildkite-plugin}; full URLs and paths are kept.
     */
    public static String normalisePluginKey(String reference) {
        String ref = reference.trim();
        String version = "";
        int hash = ref.indexOf('#');
        if (hash >= 0) {
            version = ref.substring(hash);
            ref = ref.substring(0, hash);
        }
        if (ref.contains("://")
                || ref.contains(".") && ref.contains("/")
                || ref.startsWith("/")
                || ref.startsWith(".")) {
            return ref + version;
        }
        String[] parts = ref.split("/");
        String org = parts.length == 2 ? parts[0] : "buildkite-plugins";
        String name = parts[parts.length - 1];
        if (!name.endsWith("-buildkite-plugin")) {
            name = name + "-buildkite-plugin";
        }
        return "github.com/" + org + "/" + name + version;
    }

    private static Map<String, String> env(Object env, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env == null) {
            return out;
        }
        if (env instanceof Map<?, ?> map) {
            stringKeys(map, at).forEach((k, v) -> out.put(k, v == null ? "" : scalar(v, at + "." + k)));
            return out;
        }
        if (env instanceof List<?> list) {
            for (Object o : list) {
                if (o == null) {
                    throw new PipelineException(at + ": expected KEY=value, got nothing");
                }
                String s = text(o, at);
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new PipelineException(at + ": \"" + s + "\" is not KEY=value");
                }
                out.put(s.substring(0, eq), s.substring(eq + 1));
            }
            return out;
        }
        throw new PipelineException(at + ": expected a map of variables, got " + describe(env));
    }

    private static Map<String, String> agents(Object agents, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        if (agents == null) {
            return out;
        }
        if (agents instanceof Map<?, ?> map) {
            stringKeys(map, at).forEach((k, v) -> out.put(k, v == null ? "" : scalar(v, at + "." + k)));
            return out;
        }
        if (agents instanceof List<?> list) {
            for (Object o : list) {
                if (o == null) {
                    throw new PipelineException(at + ": expected key=value, got nothing");
                }
                String s = text(o, at);
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new PipelineException(at + ": \"" + s + "\" is not key=value");
                }
                out.put(s.substring(0, eq), s.substring(eq + 1));
            }
            return out;
        }
        throw new PipelineException(at + ": expected a map or a key=value list, got " + describe(agents));
    }

    private static String text(Object o, String at) {
        if (o == null) {
            return null;
        }
        return scalar(o, at);
    }

    private static String scalar(Object o, String at) {
        if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            return String.valueOf(o);
        }
        throw new PipelineException(at + ": expected a string, got " + describe(o));
    }

    private static int integer(Object o, String at) {
        if (o instanceof Integer i) {
            return i;
        }
        if (o instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new PipelineException(at + ": expected an integer, got " + describe(o));
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map, String at) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    static String describe(Object o) {
        if (o == null) {
            return "nothing";
        }
        if (o instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (o instanceof Map) {
            return "a map";
        }
        if (o instanceof List) {
            return "a list";
        }
        return "the " + (o instanceof Boolean ? "boolean " : "number ") + o;
    }
}
