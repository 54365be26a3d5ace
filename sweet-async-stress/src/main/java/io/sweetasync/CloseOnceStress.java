package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Two {@code close()} calls at once: exactly one begins closing (closes the runtimes, the store's last
 * write and lease release, the cluster), the other returns.
 */
@JCStressTest
@Outcome(id = { "true, false", "false, true" }, expect = ACCEPTABLE, desc = "one close closes the parts")
@Outcome(expect = FORBIDDEN, desc = "both closed the parts, or neither")
@State
public class CloseOnceStress {

    private final Shutdown shutdown = new Shutdown(new LiveTasks());

    @Actor
    public void first(ZZ_Result r) {
        r.r1 = shutdown.beginClose();
    }

    @Actor
    public void second(ZZ_Result r) {
        r.r2 = shutdown.beginClose();
    }
}
