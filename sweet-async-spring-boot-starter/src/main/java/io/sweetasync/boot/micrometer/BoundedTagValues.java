package io.sweetasync.boot.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The values one tag may take, bounded: the first {@code max} distinct values seen are kept as they are,
 * every later one becomes {@value #OTHER}, so that task names or groups made per request or per tenant
 * cannot make a meter each.
 *
 * <p>Invariants: at most {@code max} values are admitted, ever (admission happens under {@code lock});
 * an admitted value stays admitted; once {@link #isFull() full}, the admitted set never changes again.
 * Thread-safe; a known value costs one set read, an unknown one once full a size read more (never the lock).
 *
 * <pre>{@code
 * BoundedTagValues names = new BoundedTagValues(200);
 * Timer.builder("sweet.async.tasks").tag("name", names.of(task.name()));
 * }</pre>
 */
public final class BoundedTagValues {

    /** The value every value beyond the bound becomes. */
    public static final String OTHER = "other";

    private final int max;
    /** Taken only to admit a value while there is room (package-private: a test holds it). */
    final ReentrantLock lock = new ReentrantLock();
    /** Written under {@code lock}, read without it. */
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /**
     * @param max how many distinct values are kept, at least 1
     */
    public BoundedTagValues(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        this.max = max;
    }

    /** {@code value} if it is admitted or there is room to admit it (it is then), else {@value #OTHER}. */
    public String of(String value) {
        return admit(value) ? value : OTHER;
    }

    /** Whether {@code value} is admitted, admitting it if there is room. */
    public boolean admit(String value) {
        if (admitted.contains(value)) {
            return true;
        }
        if (isFull()) {
            return false; // full for good: every later value (a task name per request) is decided without the lock
        }
        lock.lock();
        try {
            if (admitted.contains(value)) {
                return true;
            }
            if (admitted.size() >= max) {
                return false;
            }
            admitted.add(value);
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /** Whether {@code value} was admitted, without admitting it. */
    public boolean isAdmitted(String value) {
        return admitted.contains(value);
    }

    /** Whether the bound is reached: from then on, a value not admitted never will be. */
    public boolean isFull() {
        return admitted.size() >= max;
    }
}
