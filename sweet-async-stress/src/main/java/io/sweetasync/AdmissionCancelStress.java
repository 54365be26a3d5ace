package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sweetasync.limit.ConcurrencyLimiter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LZ_Result;

/**
 * A cancel racing a task's admission into a group with no permit free: the admission learns its request only once
 * {@code acquire} has queued it, and a cancel that lands meanwhile finds only the admission's placeholder to withdraw.
 * Whatever the order, the task ends {@code CANCELLED} and its request does not stay in the group's queue (where it
 * would hold a slot, turning other tasks away, until a permit came for a dead task): the arbiter can withdraw nothing.
 * The task is submitted by its dependency's end, on the first actor's thread (its runtime is not an executor of the
 * user's, so the submission is not moved off that stack).
 */
@JCStressTest
@Outcome(id = "CANCELLED, false", expect = ACCEPTABLE, desc = "cancelled, and its request withdrawn (or never made)")
@Outcome(expect = FORBIDDEN, desc = "not cancelled, or its request left waiting in the group's queue")
@State
public class AdmissionCancelStress {

    private final SpawningTask<Integer> dependency = Stress.orchestrator().to(Integer.class).runtime(Stress.MANUAL)
            .run(() -> 1);
    private final Runnable dependencyAttempt = Stress.takeCaptured();
    private final SpawningTask<Integer> task = Stress.orchestrator().to(Integer.class).runtime("virtual")
            .group(Stress.FULL_GROUP).after(dependency).run(() -> 2);

    @Actor
    public void submit() {
        dependencyAttempt.run(); // its end submits the task, here: it queues for the group's permit
    }

    @Actor
    public void cancel() {
        task.cancel();
    }

    @Arbiter
    public void arbiter(LZ_Result r) {
        r.r1 = task.status();
        Occasional rare = ((TaskNode<Integer>) task).occasionalOrNull();
        ConcurrencyLimiter.Request request = rare == null ? null : rare.permitRequest;
        r.r2 = request != null && request.cancel(); // true: it was still waiting (withdrawn now, for the next state)
    }
}
