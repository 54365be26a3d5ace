package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The handshake between a task's first follower and its completion ({@link TaskOutcome#completeAndRunFollowers},
 * issue #19): the first follower publishes the followers then reads the completion, the completing thread writes the
 * completion then reads the followers. Whichever way they interleave, a dependent's action runs exactly once, and a
 * second dependent added as the first one is handled runs exactly once too.
 */
public class FollowersHandshakeStress {

    private FollowersHandshakeStress() {
    }

    /** An outcome, the runs of its dependents' actions, and the verdict. */
    abstract static class Race {
        final TaskOutcome<Integer> outcome = new TaskOutcome<>();
        final AtomicInteger first = new AtomicInteger();
        final AtomicInteger second = new AtomicInteger();

        void complete() {
            outcome.completeAndRunFollowers(TaskResult.ok(1));
        }

        void verdict(II_Result r) {
            r.r1 = first.get();
            r.r2 = second.get();
        }
    }

    /** The outcome has no dependent of the future as its first follower comes: the completing thread runs them. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each dependent ran once")
    @Outcome(expect = FORBIDDEN, desc = "a dependent lost or run twice")
    @State
    public static class FirstFollowerVersusCompletion extends Race {

        @Actor
        public void followers() {
            outcome.addDependent(null, first::incrementAndGet);
            outcome.addDependent(null, second::incrementAndGet);
        }

        @Actor
        public void completer() {
            complete();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            verdict(r);
        }
    }

    /**
     * The outcome has a dependent of the future already (an engine's terminal action, a waiter): the first follower
     * registers a completion of its own, and the completing thread may read the followers all the same.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each dependent ran once")
    @Outcome(expect = FORBIDDEN, desc = "a dependent lost or run twice")
    @State
    public static class FirstFollowerWithOlderDependentVersusCompletion extends Race {

        {
            outcome.whenTerminal(() -> { });
        }

        @Actor
        public void followers() {
            outcome.addDependent(null, first::incrementAndGet);
            outcome.addDependent(null, second::incrementAndGet);
        }

        @Actor
        public void completer() {
            complete();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            verdict(r);
        }
    }
}
