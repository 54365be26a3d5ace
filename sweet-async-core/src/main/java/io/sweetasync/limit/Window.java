package io.sweetasync.limit;

import java.util.Arrays;

/** The last {@code capacity} values of a series, with the statistics the limit algorithms need. Not thread-safe. */
final class Window {

    private final double[] values;
    private int count;
    private int next;

    Window(int capacity) {
        values = new double[capacity];
    }

    void add(double value) {
        values[next] = value;
        next = (next + 1) % values.length;
        count = Math.min(count + 1, values.length);
    }

    void clear() {
        count = 0;
        next = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    double min() {
        return Arrays.stream(values, 0, count).min().orElse(0);
    }

    double max() {
        return Arrays.stream(values, 0, count).max().orElse(0);
    }

    double mean() {
        return Arrays.stream(values, 0, count).average().orElse(0);
    }

    double median() {
        if (count == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return sorted[count / 2];
    }
}
