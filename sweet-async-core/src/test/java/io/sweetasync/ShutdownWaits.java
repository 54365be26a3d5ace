package io.sweetasync;

import java.time.Duration;

/**
 * Test probe for tests outside this package: shortens the wait a shutdown or close gives bodies to return after
 * its cancel (5 s in production), through the same package-private knob this package's tests set directly
 * ({@code parts().shutdown.afterCancelNanos}). For tests whose bodies ignore the cancel on purpose: the close
 * takes the same path (gives up on them), only sooner.
 */
public final class ShutdownWaits {

    private ShutdownWaits() {
    }

    /** Sets how long {@code orchestrator}'s shutdown and close wait for cancelled bodies to return. */
    public static void afterCancel(TaskOrchestrator orchestrator, Duration wait) {
        orchestrator.parts().shutdown.afterCancelNanos = wait.toNanos();
    }
}
