package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.sweetasync.spi.RemoteInvocation;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Starts a placed task on the member it is sent to; answers with the task's id there and, if it ended
 * within a moment, its outcome ({@link Started}).
 */
final class StartPlaced extends ClusterMessage implements Callable<Started>, DataSerializable {

    private RemoteInvocation invocation;
    private UUID origin;
    private UUID placer;
    private long key;

    /** For Hazelcast's deserialization. */
    StartPlaced() {
    }

    StartPlaced(RemoteInvocation invocation, UUID origin, UUID placer, long key) {
        this.invocation = invocation;
        this.origin = origin;
        this.placer = placer;
        this.key = key;
    }

    @Override
    public Started call() {
        HazelcastTaskCluster here;
        try {
            here = here();
        }
        catch (IllegalStateException closed) {
            return Started.refused(closed.getMessage()); // no orchestrator serves here (any more): nothing ran
        }
        return here.placedHere().startPlaced(invocation, origin, placer, key);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        Wire.writeInvocation(out, invocation);
        out.writeLong(origin.getMostSignificantBits());
        out.writeLong(origin.getLeastSignificantBits());
        out.writeLong(placer.getMostSignificantBits());
        out.writeLong(placer.getLeastSignificantBits());
        out.writeLong(key);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        invocation = Wire.readInvocation(in);
        origin = new UUID(in.readLong(), in.readLong());
        placer = new UUID(in.readLong(), in.readLong());
        key = in.readLong();
    }
}
