package dev.agentstack.memory;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Remembers keys for a while: at most {@code capacity} of them, each for {@code ttl} after it was last added. The
 * oldest are forgotten first. Every in-memory set the controller keeps about jobs is one of these, so none grows
 * without bound however long it runs. Thread-safe.
 */
public final class RecentKeys<K> {

    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<K, Long> addedAt = new LinkedHashMap<>();

    public RecentKeys(int capacity, Duration ttl, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.clock = clock;
    }

    public RecentKeys(int capacity, Duration ttl) {
        this(capacity, ttl, System::nanoTime);
    }

    /** Remembers the key (again); returns true when it was not remembered before. */
    public synchronized boolean add(K key) {
        long now = clock.getAsLong();
        expire(now);
        boolean fresh = addedAt.remove(key) == null;
        addedAt.put(key, now);
        while (addedAt.size() > capacity) {
            Iterator<K> oldest = addedAt.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return fresh;
    }

    public synchronized boolean contains(K key) {
        expire(clock.getAsLong());
        return addedAt.containsKey(key);
    }

    public synchronized void remove(K key) {
        addedAt.remove(key);
    }

    public synchronized int size() {
        expire(clock.getAsLong());
        return addedAt.size();
    }

    public int capacity() {
        return capacity;
    }

    private void expire(long now) {
        Iterator<Map.Entry<K, Long>> it = addedAt.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue() >= ttlNanos) {
                it.remove();
            } else {
                break; // insertion order: the rest are younger
            }
        }
    }
}
