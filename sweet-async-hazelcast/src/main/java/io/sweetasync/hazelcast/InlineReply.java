package io.sweetasync.hazelcast;

import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides, exactly once, how a placed task's outcome goes back: in the answer to its start, if it ends
 * while the start waits a moment ({@link #await}), or else in a message of its own. {@link #offer} (the
 * task's end) and the waiter's giving up race on one future: whichever completes it first wins, so the
 * outcome goes back one way, never both, never neither.
 */
final class InlineReply {

    private final CompletableFuture<RemoteOutcome> inline = new CompletableFuture<>();

    /** The task ended: true if its outcome goes in the answer, false if it must be sent separately. */
    boolean offer(RemoteOutcome outcome) {
        return inline.complete(outcome);
    }

    /**
     * Waits up to {@code wait} for the outcome; null if it did not come, and then it never will here (it
     * goes by message). An interrupt gives up at once, keeping the thread's interrupt status.
     */
    RemoteOutcome await(Duration wait) {
        try {
            return inline.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (TimeoutException ex) {
            // gives up below
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("never completed exceptionally", ex);
        }
        return inline.cancel(false) ? null : inline.join();
    }
}
