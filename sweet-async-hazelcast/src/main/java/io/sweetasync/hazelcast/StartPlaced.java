package io.sweetasync.hazelcast;

import io.sweetasync.spi.RemoteInvocation;
import java.io.Serial;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Starts a placed task on the member it is sent to; answers with the task's id there. */
final class StartPlaced extends ClusterMessage implements Callable<String> {

    @Serial
    private static final long serialVersionUID = 1L;

    private final RemoteInvocation invocation;
    private final UUID origin;
    private final long key;

    StartPlaced(RemoteInvocation invocation, UUID origin, long key) {
        this.invocation = invocation;
        this.origin = origin;
        this.key = key;
    }

    @Override
    public String call() {
        return here().startPlaced(invocation, origin, key);
    }
}
