package io.sweetasync.hazelcast;

import io.sweetasync.spi.RemoteOutcome;
import java.io.Serial;

/** Brings a placed task's outcome back to the member that placed it. */
final class PlacedEnded extends ClusterMessage implements Runnable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long key;
    private final RemoteOutcome outcome;

    PlacedEnded(long key, RemoteOutcome outcome) {
        this.key = key;
        this.outcome = outcome;
    }

    @Override
    public void run() {
        here().placements().ended(key, outcome);
    }
}
