package io.sweetasync.limit;

/**
 * The last {@code capacity} values of a series, with the statistics the limit algorithms need. No
 * allocation after construction. Not thread-safe.
 */
final class Window {

    private final double[] values;
    private int count;
    private int next;
    /** How many values were ever added (cleared or not). */
    private long added;

    Window(int capacity) {
        values = new double[capacity];
    }

    void add(double value) {
        values[next] = value;
        next = (next + 1) % values.length;
        count = Math.min(count + 1, values.length);
        added++;
    }

    /** How many values were ever added, cleared or not: whether one was added since an earlier reading. */
    long added() {
        return added;
    }

    void clear() {
        count = 0;
        next = 0;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** The mean, 0 when empty. */
    double mean() {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[i];
        }
        return count == 0 ? 0 : sum / count;
    }

    /** The largest value, 0 when empty. */
    double max() {
        double most = count == 0 ? 0 : Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            most = Math.max(most, values[i]);
        }
        return most;
    }
}
