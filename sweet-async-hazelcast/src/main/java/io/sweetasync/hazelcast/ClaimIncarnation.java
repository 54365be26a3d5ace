package io.sweetasync.hazelcast;

import com.hazelcast.map.EntryProcessor;
import java.io.Serial;
import java.util.Map;

/**
 * Claims a store's incarnation number in the cluster, atomically on the counter's partition: if the counter
 * (the largest number handed out, see {@link NextIncarnation}) is below it, raises the counter to it and
 * returns it; else returns the counter plus one, the smallest number the member may claim instead.
 */
final class ClaimIncarnation implements EntryProcessor<String, Long, Long> {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long proposed;

    ClaimIncarnation(long proposed) {
        this.proposed = proposed;
    }

    @Override
    public Long process(Map.Entry<String, Long> entry) {
        long counter = entry.getValue() == null ? 0 : entry.getValue();
        if (counter < proposed) {
            entry.setValue(proposed);
            return proposed;
        }
        return counter + 1;
    }
}
