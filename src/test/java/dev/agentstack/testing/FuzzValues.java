package dev.agentstack.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * Random and mutated input for the fuzz tests, from one seed (jqwik draws the seeds, so a failing case is replayed
 * from the seed it reports): JSON-like trees with wrong types, huge numbers, unicode and invalid Kubernetes names.
 */
public final class FuzzValues {

    /** Strings users (or their mistakes) put where a name, an image or a command goes. */
    private static final List<String> STRINGS = List.of(
            "",
            " ",
            "a",
            "container-0",
            "agent",
            "checkout",
            "copy-agent",
            "imagecheck-0",
            "workspace",
            "Agent",
            "UPPER_CASE",
            "has space",
            "dot.name",
            "-leading",
            "trailing-",
            "x".repeat(64),
            "y".repeat(300),
            "ünïcödé",
            "名前",
            "emoji-😀",
            "tab\tand\nnewline",
            "null",
            "~",
            "true",
            "0",
            "-1",
            "1e309",
            "500m",
            "1Gi",
            "1.5Gi",
            "-1Gi",
            "9999999999999999999Ei",
            "nan",
            "alpine",
            "alpine:3",
            "ghcr.io/org/image@sha256:" + "0".repeat(64),
            "/workspace",
            "/",
            "../etc",
            "Always",
            "Never",
            "Sometimes",
            "$(BUILDKITE_COMMAND)",
            "${HOME}",
            "'quoted'",
            "\"dq\"",
            "\\",
            "=",
            "a=b",
            "\u0000",
            "\u202e",
            "key: value",
            "&anchor",
            "*alias",
            "<<",
            "---");

    private final Random random;

    public FuzzValues(long seed) {
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    public <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    public String string() {
        return switch (random.nextInt(5)) {
            case 0 -> randomUnicode(random.nextInt(20));
            case 1 -> pick(STRINGS) + pick(STRINGS);
            default -> pick(STRINGS);
        };
    }

    public String randomUnicode(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> 'a' + random.nextInt(26);
                case 1 -> 0x20 + random.nextInt(0x5f);
                case 2 -> random.nextInt(0x3000);
                default -> 0x1F600 + random.nextInt(80);
            };
            if (Character.isSurrogate((char) cp)) {
                cp = 'z';
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    public Object number() {
        return switch (random.nextInt(8)) {
            case 0 -> Integer.MAX_VALUE;
            case 1 -> Integer.MIN_VALUE;
            case 2 -> Long.MAX_VALUE;
            case 3 -> -random.nextInt(1000);
            case 4 -> random.nextDouble() * 1e300;
            case 5 -> new java.math.BigInteger("9".repeat(40));
            default -> random.nextInt(100);
        };
    }

    /** Any JSON value, nested at most {@code depth} levels. */
    public Object value(int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> number();
            case 3, 4 -> string();
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(value(depth - 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(string(), value(depth - 1));
                }
                yield map;
            }
        };
    }

    /** A list nested {@code depth} deep around a value: [[[...]]]. */
    public static Object deeplyNested(int depth, Object inner) {
        Object v = inner;
        for (int i = 0; i < depth; i++) {
            v = List.of(v);
        }
        return v;
    }

    /**
     * Changes the tree in place at one random spot: replaces a value with a random one, drops or renames a key, wraps
     * a value in a list or a map, or repeats a list element. Returns the (possibly new) root.
     */
    @SuppressWarnings("unchecked")
    public Object mutate(Object root) {
        if (!(root instanceof Map<?, ?>) && !(root instanceof List<?>) || chance(0.05)) {
            return copy(value(3));
        }
        Object node = root;
        // walk down a random path, stopping at random
        while (true) {
            List<Object> children = childrenOf(node);
            if (children.isEmpty() || chance(0.3)) {
                break;
            }
            Object next = pick(children);
            if (!(next instanceof Map<?, ?>) && !(next instanceof List<?>)) {
                break;
            }
            node = next;
        }
        if (node instanceof Map<?, ?> m && !m.isEmpty()) {
            Map<String, Object> map = (Map<String, Object>) m;
            String key = pick(new ArrayList<>(map.keySet()));
            switch (random.nextInt(6)) {
                case 0 -> map.remove(key);
                case 1 -> map.put(string(), map.remove(key));
                case 2 -> map.put(key, copy(List.of(map.get(key) == null ? "x" : map.get(key))));
                case 3 -> map.put(key, copy(Map.of(string(), map.get(key) == null ? "x" : map.get(key))));
                case 4 -> map.put(key, copy(deeplyNested(random.nextInt(200), string())));
                default -> map.put(key, copy(value(3)));
            }
        } else if (node instanceof List<?> l && !l.isEmpty()) {
            List<Object> list = (List<Object>) l;
            int i = random.nextInt(list.size());
            switch (random.nextInt(4)) {
                case 0 -> list.remove(i);
                case 1 -> list.add(copy(list.get(i)));
                case 2 -> list.set(i, copy(value(3)));
                default -> {
                    for (int n = random.nextInt(50); n > 0; n--) {
                        list.add(copy(list.get(i)));
                    }
                }
            }
        }
        return root;
    }

    private static List<Object> childrenOf(Object node) {
        if (node instanceof Map<?, ?> m) {
            return new ArrayList<>(m.values());
        }
        if (node instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        return List.of();
    }

    /** A mutable deep copy of a tree of maps, lists and scalars. */
    public static Object copy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), copy(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(copy(x)));
            return out;
        }
        return v;
    }

    /**
     * Runs one fuzz case on its own thread: its result, or an AssertionError when it throws or does not finish in
     * {@code limit} (a hang guard, far above what a case takes, not a performance check).
     */
    public static <T> T withinLimit(Duration limit, Callable<T> fuzzCase) {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(
                    null, r, "fuzz-case", 512L << 10); // the container image runs the controller with -Xss512k
            t.setDaemon(true);
            return t;
        });
        try {
            Future<T> result = thread.submit(fuzzCase);
            return result.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("did not finish within " + limit + " (hangs?)");
        } catch (ExecutionException e) {
            throw new AssertionError("threw " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            thread.shutdownNow();
        }
    }
}
