package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.sweetasync.TaskId;
import io.sweetasync.spi.RemoteOutcome;
import java.io.IOException;

/**
 * Tells the member that placed a durable task how a later run of it (after its first member left) ended.
 * Written field by field as {@link PlacedEnded} is: a value that cannot be read on that member fails the
 * handle saying so, rather than dropping the message.
 */
final class DurableEnded extends ClusterMessage implements Runnable, DataSerializable {

    private String id;
    private RemoteOutcome outcome;

    /** For Hazelcast's deserialization. */
    DurableEnded() {
    }

    DurableEnded(String id, RemoteOutcome outcome) {
        this.id = id;
        this.outcome = outcome;
    }

    @Override
    public void run() {
        here().host().durableEnded(TaskId.parse(id), outcome);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(id);
        Wire.writeEnded(out, outcome);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        id = in.readString();
        outcome = Wire.readEnded(in);
    }
}
