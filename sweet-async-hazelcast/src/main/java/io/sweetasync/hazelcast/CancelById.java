package io.sweetasync.hazelcast;

import io.sweetasync.TaskId;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/** Cancels a task on the member it is sent to; answers whether it did. */
final class CancelById extends ClusterMessage implements Callable<Boolean>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String id;

    CancelById(String id) {
        this.id = id;
    }

    @Override
    public Boolean call() {
        return here().host().cancel(TaskId.parse(id));
    }
}
