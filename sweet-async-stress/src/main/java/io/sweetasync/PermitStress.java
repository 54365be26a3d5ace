package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A limit-1 permit released while another caller asks for it (granted at once or from the queue):
 * never two holders, exactly one grant, nothing leaked.
 */
@JCStressTest
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "one holder at a time, one grant, nothing in flight")
@Outcome(expect = FORBIDDEN, desc = "two holders at once, a lost or double grant, or a leaked permit")
@State
public class PermitStress {

    private final ConcurrencyLimiter limiter = new ConcurrencyLimiter("stress", LimiterConfig.defaults()
            .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1), Stress.orchestrator().parts().clock());
    private final AtomicInteger holders = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicInteger granted = new AtomicInteger();
    private final ConcurrencyLimiter.Permit first;

    public PermitStress() {
        first = limiter.tryAcquire().orElseThrow();
        most.set(holders.incrementAndGet());
    }

    @Actor
    public void release() {
        holders.decrementAndGet();
        first.success();
    }

    @Actor
    public void acquire() {
        limiter.acquire(TaskPriority.NORMAL, permit -> {
            granted.incrementAndGet();
            most.accumulateAndGet(holders.incrementAndGet(), Math::max);
            holders.decrementAndGet();
            permit.success();
        }, reason -> { });
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = most.get();
        r.r2 = granted.get();
        r.r3 = limiter.snapshot().inFlight();
    }
}
