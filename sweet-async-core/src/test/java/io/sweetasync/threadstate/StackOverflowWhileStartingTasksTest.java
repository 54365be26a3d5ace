package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Findings, not fixed (disabled so that the suite stays green; enable to reproduce, each fails within a minute).
 *
 * <p>A deep body that starts tasks near the end of its stack, catches the {@link StackOverflowError} and goes on
 * (recursive code with a fallback for overflow; here each frame on the way back up tries once, so the overflow
 * strikes at every depth of the engine's create-and-submit path in turn). The engine's bookkeeping is not atomic
 * against an overflow thrown part-way:
 * <ul>
 * <li>a child made QUEUED (or, thrown inside {@code TaskFactory.create}, PENDING and never registered) whose runtime
 * never got it: it never runs nor ends, and its parent, whose body returned, stays RUNNING for ever (seen on every
 * kind: SINGLE, a PLATFORM pool of 1, a user's executor; a few rounds in, once the JIT has compiled the path);</li>
 * <li>a root with a timeout made there: the overflow strikes inside the JDK's {@code ScheduledThreadPoolExecutor}
 * (the orchestrator's own timer, {@code SystemClock}) half-way through a sift of its queue, which is left with a
 * hole: later the orchestrator's {@code close()} threw {@code NullPointerException} from
 * {@code DelayedWorkQueue.siftDown} (and the timer's thread meets the hole as it takes work: deadlines of other
 * tasks may never fire). Roots made there are stranded as the children are: the second test's made roots did not
 * end within 20 s (its other failure: the NullPointerException of a sift, "key" is null).</li>
 * <li>(fixed, VirtualThreadStartFailureTest) a root made there on the {@code VIRTUAL} runtime whose thread could not
 * start ended rejected, "runtime 'virtual' is closed", which it was not; the second test failed so first.</li>
 * </ul>
 * Tried and not enough: failing the task in a {@code catch} around the submission (the handler runs on the same
 * exhausted stack and overflows part-way itself); deferring the end to a list drained at the next attempt's end
 * (putting the task there is already a call too many when the overflow struck one frame below); padding frames
 * below the submission (the padding itself overflows, with the task made and never submitted). A fix needs the
 * engine's create-and-submit path to change no state until it knows it has the stack it needs, or a mark set with
 * no call at all (a field write on the task and its parent) and a rescue at the parent's body end.
 *
 * <p>Tried, works, not kept for its cost: a stack-headroom probe (a 64-frame recursion of a static method keeping four
 * longs live across its call, its result consumed) at the entry of {@code TaskFactory.spawn}, {@code chain},
 * {@code create} and {@code createMirror} and of {@code TaskRuntime.managedBlock} (before permits are lent and
 * {@code PooledRuntime.block} counts the wait) made the six cases here and
 * {@code ReusedWorkerThreadTest.joinsOnANearlyExhaustedStackLeaveThePoolWhole} pass (one run): the overflow strikes in
 * the probe, with nothing changed. But the probe alone costs about 200 ns a call (16 frames 37 ns, 128 frames 400 ns),
 * and FanOutBenchmark's CPU per operation went from 14.4 +- 2.8 to 16.6 +- 3.3 ms (10,000 children: about 220 ns a
 * child, as the probe alone; throughput 132 +- 32 to 117 +- 22 ops/s; SubmitBenchmark within noise). Its margin was
 * small too: the compiled path's deepest need (a root with a timeout, a join) was 66 to 72 frames of a small
 * recursive method, the probe's 104 to 110. Four frames keeping 32 longs live each (85 ns) covered too little (a child
 * stranded). And no probe of fixed depth covers a class initialised there for the first time: a static initialiser
 * that overflows poisons its class for the JVM's life ({@code Occasional}: {@code NoClassDefFoundError} ever after).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@Disabled("finding: engine bookkeeping is not atomic against a StackOverflowError thrown part-way; see the javadoc")
class StackOverflowWhileStartingTasksTest {

    private static TaskOrchestrator orchestrator(ExecutorService users) {
        return TaskOrchestrator.builder()
                .runtime(TaskRuntime.single("one"))
                .runtime(TaskRuntime.platform("pool1", 1))
                .runtime(TaskRuntime.executor("users", users)).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users"})
    void childrenStartedAsTheStackOverflowsLetTheirParentEnd(String runtime) throws Exception {
        ExecutorService users = Executors.newSingleThreadExecutor();
        TaskOrchestrator o = orchestrator(users);
        try {
            for (int round = 0; round < 40; round++) {
                SpawningTask<String> parent = o.to(String.class).runtime(runtime).named("deep").run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    ReusedWorkerThreadTest.recurse(0, () -> ctx.runChild(() -> "c"), new AtomicInteger(),
                            new AtomicInteger());
                    return "done";
                });
                try {
                    parent.get(20, TimeUnit.SECONDS);
                }
                catch (TimeoutException hung) {
                    List<TaskInfo> stuck = o.roots().stream().flatMap(root -> root.children().stream())
                            .filter(child -> !child.status().isTerminal()).toList();
                    fail("round " + round + ": " + parent.info() + " waits for children never run: " + stuck);
                }
            }
            assertThat(o.liveCount()).isZero();
        }
        finally {
            o.close();
            users.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users"})
    void rootsWithATimeoutStartedAsTheStackOverflowsLeaveTheTimerWhole(String runtime) throws Exception {
        ExecutorService users = Executors.newSingleThreadExecutor();
        TaskOrchestrator o = orchestrator(users);
        // java.lang.VirtualThread initialised on a stack with room: its initialiser overflowing poisons the class for
        // the whole JVM (NoClassDefFoundError for every virtual thread after), which is the JDK's, not the engine's
        o.to(String.class).run(() -> "warm").join();
        try {
            for (int round = 0; round < 10; round++) {
                List<SpawningTask<String>> made = Collections.synchronizedList(new ArrayList<>());
                o.to(String.class).runtime(runtime).run(() -> {
                    ReusedWorkerThreadTest.recurse(0, () -> made.add(o.to(String.class).detached()
                            .timeout(Duration.ofSeconds(30)).run(() -> "r")), new AtomicInteger(), new AtomicInteger());
                    return "done";
                }).get(20, TimeUnit.SECONDS);
                for (SpawningTask<String> task : made) {
                    try {
                        task.get(20, TimeUnit.SECONDS);
                    }
                    catch (ExecutionException failedAsMade) {
                        // ended (failed with the overflow as it was made): what matters is that it ended
                    }
                }
                // the timer still bounds a task that ignores nothing: its deadline fires
                SpawningTask<String> bounded = o.to(String.class).runtime(runtime).timeout(Duration.ofMillis(50))
                        .run(() -> {
                            Thread.sleep(60_000);
                            return "late";
                        });
                assertThat(bounded.result().isOk()).isFalse();
                assertThat(bounded.status()).isEqualTo(TaskStatus.TIMED_OUT);
            }
        }
        finally {
            o.close(); // threw NullPointerException from the timer's corrupted queue
            users.shutdownNow();
        }
    }
}
