package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * Tells the member that placed a task that its body began, when it had not yet as the start was answered (it
 * waited for a slot or its group's permit there): that member's handle turns from {@code QUEUED} to
 * {@code RUNNING}. It may arrive before the start's answer; the placement is registered before the start is sent.
 */
final class PlacedStarted extends ClusterMessage implements Runnable, DataSerializable {

    private long key;

    /** For Hazelcast's deserialization. */
    PlacedStarted() {
    }

    PlacedStarted(long key) {
        this.key = key;
    }

    @Override
    public void run() {
        here().placements().started(key);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(key);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        key = in.readLong();
    }
}
