package io.sweetasync.hazelcast;

import com.hazelcast.map.EntryProcessor;
import java.io.Serial;
import java.util.Map;

/**
 * Increments the cluster's incarnation counter atomically on its partition and returns the new value: the
 * incarnation of a member without a task store. The counter is the largest number handed out, store
 * members' claimed numbers included ({@link ClaimIncarnation}).
 */
final class NextIncarnation implements EntryProcessor<String, Long, Long> {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, Long> entry) {
        long next = entry.getValue() == null ? 1 : entry.getValue() + 1;
        entry.setValue(next);
        return next;
    }
}
