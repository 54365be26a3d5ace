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

    /**
     * Bounds of {@code min} to {@code max}, both included: {@code MinMax.of(1, 8)}.
     *
     * @throws IllegalArgumentException if {@code min} is less than 1 or {@code max} less than {@code min}, naming them
     */
    public static MinMax of(int min, int max) {
        return new MinMax(min, max);
    }
}
