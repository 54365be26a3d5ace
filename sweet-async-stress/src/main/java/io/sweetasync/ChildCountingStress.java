package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * A parent's body ending (when it starts counting its unfinished children) racing one of its children
 * finishing (which then either leaves uncounted or releases its counted share): the parent finishes
 * exactly once, after the child, and only once its body has ended.
 */
@JCStressTest
@Outcome(id = "COMPLETED, 1, COMPLETED", expect = ACCEPTABLE, desc = "parent finished once, after its child")
@Outcome(expect = FORBIDDEN, desc = "the parent finished twice, never, or before its child or its own body")
@State
public class ChildCountingStress {

    private static final ThreadLocal<Runnable> CAPTURED = new ThreadLocal<>();
    private static final ConcurrentHashMap<TaskId, AtomicInteger> FINISHES = new ConcurrentHashMap<>();
    private static final TaskOrchestrator ORCHESTRATOR = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor(Stress.MANUAL, CAPTURED::set))
            .historySize(0)
            .resourceTracking(ResourceTracking.OFF)
            .listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    FINISHES.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet();
                }
            })
            .build();

    private final SpawningTask<Integer> parent;
    private final Runnable parentAttempt;
    private final SpawningTask<Integer> child;
    private final Runnable childAttempt;
    /** The parent's status as its child's body saw it: never terminal. */
    private volatile TaskStatus parentSeenByChild;

    public ChildCountingStress() {
        parent = ORCHESTRATOR.to(Integer.class).runtime(Stress.MANUAL).run(() -> 1);
        parentAttempt = take();
        child = new NodeContext((TaskNode<?>) parent).child(Integer.class).runtime(Stress.MANUAL).run(() -> {
            parentSeenByChild = parent.status();
            return 2;
        });
        childAttempt = take();
    }

    private static Runnable take() {
        Runnable attempt = CAPTURED.get();
        CAPTURED.remove();
        return attempt;
    }

    @Actor
    public void parentBodyEnds() {
        parentAttempt.run();
    }

    @Actor
    public void childFinishes() {
        childAttempt.run();
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        AtomicInteger finishes = FINISHES.remove(parent.id());
        FINISHES.remove(child.id());
        boolean sawTerminal = parentSeenByChild != null && parentSeenByChild.isTerminal();
        r.r1 = parent.status() + (sawTerminal ? " (terminal while its child ran)" : "");
        r.r2 = finishes == null ? 0 : finishes.get();
        r.r3 = child.status();
    }
}
