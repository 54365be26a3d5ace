package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A permit its holder suspends and resumes around a wait (a body joining another task) while another
 * thread releases it (the task's deadline forcing its end): whatever the order, the permit is counted
 * out exactly once, so nothing stays in flight, and the limiter grants the next caller.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "nothing in flight, and the next caller was granted")
@Outcome(expect = FORBIDDEN, desc = "the permit counted out twice (negative) or never (leaked)")
@State
public class SuspendedPermitStress {

    private final ConcurrencyLimiter limiter = new ConcurrencyLimiter("stress", LimiterConfig.defaults()
            .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1), Stress.orchestrator().parts().clock());
    private final ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();

    @Actor
    public void waitAround() {
        held.suspend();
        held.resume();
    }

    @Actor
    public void forcedEnd() {
        held.ignore();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = limiter.snapshot().inFlight();
        r.r2 = limiter.tryAcquire().map(next -> {
            next.ignore();
            return 1;
        }).orElse(0);
    }
}
