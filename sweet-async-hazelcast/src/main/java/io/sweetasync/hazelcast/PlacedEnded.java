package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.sweetasync.TaskStatus;
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

    /** The value goes last, so that one that cannot be read here leaves the rest of the outcome readable. */
    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(key);
        Wire.writeOutcome(out, outcome);
        out.writeObject(outcome.value());
    }

    /**
     * A value that cannot be read here (its class is missing or differs, its {@code readObject} throws) turns
     * the outcome into a {@code FAILED} one saying so: thrown from here, the message would never run and the
     * handle would wait for it forever.
     */
    @Override
    public void readData(ObjectDataInput in) throws IOException {
        key = in.readLong();
        RemoteOutcome ended = Wire.readOutcome(in, null);
        try {
            outcome = Wire.withValue(ended, in.readObject());
        }
        catch (IOException | RuntimeException ex) {
            outcome = RemoteOutcome.of(ended.member(), ended.taskId(), TaskStatus.FAILED, null,
                    ex.getClass().getSimpleName(), "it completed, but its value could not be read here: " + ex.getMessage());
        }
    }
}
