package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * A child started through a leaked context while the parent's body returns: either the child is
 * registered and the parent waits for it (not terminal while the child is not), or the registration is
 * refused and the parent completes. Never a child of a finished parent.
 */
@JCStressTest
@Outcome(id = { "added, RUNNING" }, expect = ACCEPTABLE, desc = "child registered first; parent waits for it")
@Outcome(id = { "refused, COMPLETED" }, expect = ACCEPTABLE, desc = "parent finished first; child refused")
@Outcome(expect = FORBIDDEN, desc = "a child of a finished parent, or a parent left waiting for nothing")
@State
public class ChildRegistrationStress {

    private final SpawningTask<Integer> parent;
    private final Runnable parentAttempt;
    private final TaskContext context;

    public ChildRegistrationStress() {
        parent = Stress.orchestrator().to(Integer.class).runtime(Stress.MANUAL).run(() -> 1);
        parentAttempt = Stress.takeCaptured();
        context = new NodeContext((TaskNode<?>) parent);
    }

    @Actor
    public void parentBodyReturns() {
        parentAttempt.run();
    }

    @Actor
    public void addChild(LL_Result r) {
        try {
            context.child(Integer.class).runtime(Stress.MANUAL).run(() -> 2);
            Stress.takeCaptured(); // the child's attempt is never run: it stays unfinished
            r.r1 = "added";
        }
        catch (IllegalStateException ex) {
            r.r1 = "refused";
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        r.r2 = parent.status().name();
        if ("added".equals(r.r1)) {
            parent.cancel(); // release the tree so the registry stays small
        }
    }
}
