package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.sweetasync.spi.RemoteOutcome;
import java.io.IOException;

/** Brings a placed task's outcome back to the member that placed it, when it did not end at once. */
final class PlacedEnded extends ClusterMessage implements Runnable, DataSerializable {

    private long key;
    private RemoteOutcome outcome;

    /** For Hazelcast's deserialization. */
    PlacedEnded() {
    }

    PlacedEnded(long key, RemoteOutcome outcome) {
        this.key = key;
        this.outcome = outcome;
    }

    @Override
    public void run() {
        here().placements().ended(key, outcome);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(key);
        Wire.writeEnded(out, outcome);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        key = in.readLong();
        outcome = Wire.readEnded(in);
    }
}
