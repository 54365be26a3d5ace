package io.sweetasync.bench.limits;

/** A downstream parameter as a function of virtual time (seconds since the run began). */
@FunctionalInterface
interface Profile {

    double at(double seconds);

    static Profile constant(double value) {
        return seconds -> value;
    }

    /** {@code values[i]} during the i-th phase of {@code phaseSeconds} (the last one holds on). */
    static Profile phases(double phaseSeconds, double... values) {
        return seconds -> values[Math.min(values.length - 1, (int) (seconds / phaseSeconds))];
    }

    /** {@code mean + amplitude · sin(2πt / period)}, rounded. */
    static Profile sine(double mean, double amplitude, double periodSeconds) {
        return seconds -> Math.round(mean + amplitude * Math.sin(2 * Math.PI * seconds / periodSeconds));
    }
}
