package dev.agentstack.memory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers the results of a pure function for its first {@code capacity} distinct inputs, e.g. the parse of an image
 * reference every Job repeats: lock-free, and bounded, because past capacity it just computes. Null results are not
 * remembered.
 */
public final class Memo<K, V> {

    private final int capacity;
    private final Function<K, V> function;
    private final ConcurrentHashMap<K, V> results = new ConcurrentHashMap<>();

    public Memo(int capacity, Function<K, V> function) {
        this.capacity = capacity;
        this.function = function;
    }

    public V apply(K input) {
        V result = results.get(input);
        if (result == null) {
            result = function.apply(input);
            if (result != null && results.size() < capacity) {
                results.putIfAbsent(input, result);
            }
        }
        return result;
    }
}
