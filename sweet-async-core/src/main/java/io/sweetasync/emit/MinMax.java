package io.sweetasync.emit;

/**
 * An inclusive range of worker counts.
 *
 * <pre>{@code
 * ReceiverStrategy.adaptive(MinMax.of(2, 16))
 * }</pre>
 */
public record MinMax(int min, int max) {

    public MinMax {
        if (min < 1) {
            throw new IllegalArgumentException("min must be at least 1, was " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException("max " + max + " must not be less than min " + min);
        }
    }

    public static MinMax of(int min, int max) {
        return new MinMax(min, max);
    }
}
