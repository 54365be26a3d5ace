package io.sweetasync.hazelcast;

import io.sweetasync.TaskId;
import io.sweetasync.spi.RemoteOutcome;
import java.io.Serial;
import java.io.Serializable;

/** Tells the member that placed a durable task how a later run of it (after its first member left) ended. */
final class DurableEnded extends ClusterMessage implements Runnable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String id;
    private final RemoteOutcome outcome;

    DurableEnded(String id, RemoteOutcome outcome) {
        this.id = id;
        this.outcome = outcome;
    }

    @Override
    public void run() {
        here().host().durableEnded(TaskId.parse(id), outcome);
    }
}
