package io.sweetasync;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A set of objects by identity, each found by a {@code long} key it carries (a thread's id, a task's id),
 * that allocates nothing per entry once grown: a {@code ConcurrentHashMap} allocates a 32-byte node per entry
 * and hashes by identity (the first identity hash of an object is written into its header), a tenth of what
 * the rest of a short task costs. It backs the carriers of virtual bodies ({@link VirtualCarriers}) and the
 * live roots ({@link LiveTasks}).
 *
 * <p>Entries are spread over a power-of-two number of stripes by the low bits of their mixed key; each stripe
 * is an open addressing table (the high bits of the mixed key, linear probing, deletion by backward shift so
 * that no tombstones pile up), guarded by the stripe's monitor. A stripe grows when half full and shrinks
 * when an eighth full, so a burst does not keep its memory afterwards.
 *
 * <p>Invariants: an entry's key never changes while it is in the table; every read or write of a stripe's
 * table holds that stripe's monitor, held only for a probe or a copy (never while blocking or calling out but
 * to the key function); entries are compared by identity, so two entries may share a key (each is found by
 * {@link #remove} and {@link #contains}; {@link #get} answers one of them). Whole-table reads
 * ({@link #isEmpty}, {@link #size}, {@link #toList}) take the stripes one after the other: exact when the
 * table does not change meanwhile, else each stripe as it was when read.
 *
 * <pre>{@code
 * StripedTable<TaskNode<?>> roots = new StripedTable<>(StripedTable.stripesFor(cores), TaskNode::idValue);
 * roots.add(root);
 * boolean gone = roots.remove(root);
 * }</pre>
 *
 * @param <E> the entries
 */
final class StripedTable<E> {

    private static final int MIN_CAPACITY = 16;

    private final ToLongFunction<? super E> key;
    private final Stripe<E>[] stripes;
    private final int stripeMask;

    /**
     * @param stripes a power of two
     * @param key     an entry's key; cheap, without side effects, the same for as long as the entry is in the table
     * @throws IllegalArgumentException if {@code stripes} is not a positive power of two
     */
    StripedTable(int stripes, ToLongFunction<? super E> key) {
        if (stripes <= 0 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a positive power of two, was " + stripes);
        }
        this.key = key;
        @SuppressWarnings("unchecked")
        Stripe<E>[] all = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            all[i] = new Stripe<>(key);
        }
        this.stripes = all;
        this.stripeMask = stripes - 1;
    }

    /** Stripes enough that threads on {@code cores} cores seldom meet on one: 4 per core, 8 to 256, a power of two. */
    static int stripesFor(int cores) {
        int wanted = Math.clamp(4L * cores, 8, 256);
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** Adds {@code entry}, which must not be in the table. */
    void add(E entry) {
        long hash = hash(key.applyAsLong(entry));
        stripes[(int) hash & stripeMask].add(entry, (int) (hash >>> 32));
    }

    /** An entry whose key is {@code wanted}, or null. */
    E get(long wanted) {
        long hash = hash(wanted);
        return stripes[(int) hash & stripeMask].get(wanted, (int) (hash >>> 32));
    }

    /** Removes {@code entry} (this very object); whether it was there. */
    boolean remove(E entry) {
        long hash = hash(key.applyAsLong(entry));
        return stripes[(int) hash & stripeMask].remove(entry, (int) (hash >>> 32));
    }

    /** Whether {@code entry} (this very object) is in the table. */
    boolean contains(E entry) {
        long hash = hash(key.applyAsLong(entry));
        return stripes[(int) hash & stripeMask].indexOf(entry, (int) (hash >>> 32)) >= 0;
    }

    /** Whether no stripe holds an entry, each looked at in turn. */
    boolean isEmpty() {
        for (Stripe<E> stripe : stripes) {
            if (stripe.size() != 0) {
                return false;
            }
        }
        return true;
    }

    /** The entries, each stripe looked at in turn. */
    int size() {
        int size = 0;
        for (Stripe<E> stripe : stripes) {
            size += stripe.size();
        }
        return size;
    }

    /** A copy of the entries, in no particular order, each stripe copied in turn. */
    List<E> toList() {
        List<E> all = new ArrayList<>();
        for (Stripe<E> stripe : stripes) {
            stripe.copyTo(all);
        }
        return all;
    }

    /** A well-mixed 64-bit hash of a key (keys are often sequential): low bits stripe, high bits slot. */
    private static long hash(long key) {
        long z = key * 0x9E3779B97F4A7C15L;
        return z ^ (z >>> 29);
    }

    private static final class Stripe<E> {

        private final ToLongFunction<? super E> key;
        private Object[] slots = new Object[MIN_CAPACITY];
        private int size;

        Stripe(ToLongFunction<? super E> key) {
            this.key = key;
        }

        synchronized void add(E entry, int hash) {
            if ((size + 1) * 2 > slots.length) {
                resize(slots.length * 2);
            }
            insert(slots, entry, hash);
            size++;
        }

        @SuppressWarnings("unchecked")
        synchronized E get(long wanted, int hash) {
            Object[] table = slots;
            int mask = table.length - 1;
            for (int i = hash & mask;; i = (i + 1) & mask) {
                Object found = table[i];
                if (found == null || key.applyAsLong((E) found) == wanted) {
                    return (E) found;
                }
            }
        }

        /** The slot of {@code entry}, or -1; holds the monitor (or is called with it held). */
        synchronized int indexOf(Object entry, int hash) {
            Object[] table = slots;
            int mask = table.length - 1;
            for (int i = hash & mask;; i = (i + 1) & mask) {
                Object found = table[i];
                if (found == entry) {
                    return i;
                }
                if (found == null) {
                    return -1;
                }
            }
        }

        synchronized boolean remove(Object entry, int hash) {
            int i = indexOf(entry, hash);
            if (i < 0) {
                return false;
            }
            Object[] table = slots;
            int mask = table.length - 1;
            // backward shift: move up every later entry of the run that may sit at or before the hole
            int hole = i;
            for (int j = (hole + 1) & mask; table[j] != null; j = (j + 1) & mask) {
                int home = home(table[j]) & mask;
                // the entry at j can fill the hole if its home is not in (hole, j] (cyclically)
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                    table[hole] = table[j];
                    hole = j;
                }
            }
            table[hole] = null;
            size--;
            if (size * 8 < table.length && table.length > MIN_CAPACITY) {
                resize(table.length / 2);
            }
            return true;
        }

        synchronized int size() {
            return size;
        }

        @SuppressWarnings("unchecked")
        synchronized void copyTo(List<E> all) {
            if (size == 0) {
                return;
            }
            for (Object entry : slots) {
                if (entry != null) {
                    all.add((E) entry);
                }
            }
        }

        private void resize(int capacity) {
            Object[] resized = new Object[capacity];
            for (Object entry : slots) {
                if (entry != null) {
                    insert(resized, entry, home(entry));
                }
            }
            slots = resized;
        }

        @SuppressWarnings("unchecked")
        private int home(Object entry) {
            return (int) (hash(key.applyAsLong((E) entry)) >>> 32);
        }

        private static void insert(Object[] table, Object entry, int hash) {
            int mask = table.length - 1;
            int i = hash & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            table[i] = entry;
        }
    }
}
