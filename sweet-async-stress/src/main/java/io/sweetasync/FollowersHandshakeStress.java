package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.Z_Result;

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
     * The outcome's task waits for another ({@code after}, {@code chain}): its followers' object was made for that
     * alone, not placed, so the first follower still decides where they run; the completing thread reads it all the
     * same. Each dependent runs once, and the task is taken back from its upstream's dependents (r3: 0 left).
     */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "each dependent ran once, the upstream let go")
    @Outcome(expect = FORBIDDEN, desc = "a dependent lost or run twice, or the upstream still holding the task")
    @State
    public static class FirstFollowerOfAWaitingTaskVersusCompletion extends Race {
        final TaskOutcome<Integer> upstream = new TaskOutcome<>();

        {
            Runnable action = () -> { };
            upstream.addDependent(null, action);
            outcome.waitsFor(upstream, action);
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
        public void arbiter(III_Result r) {
            r.r1 = first.get();
            r.r2 = second.get();
            r.r3 = upstream.hasDependents() ? 1 : 0;
        }
    }

    /**
     * A task registers its removal from its upstream's dependents as it ends: either the completing thread finds the
     * registration, or the registration finds the task ended and removes it at once; never neither, never kept.
     */
    @JCStressTest
    @Outcome(id = "false", expect = ACCEPTABLE, desc = "the upstream let go of the task")
    @Outcome(id = "true", expect = FORBIDDEN, desc = "the upstream still holds a task that ended")
    @State
    public static class UpstreamRegistrationVersusCompletion extends Race {
        final TaskOutcome<Integer> upstream = new TaskOutcome<>();
        final Runnable action = () -> { };

        {
            upstream.addDependent(null, action);
        }

        @Actor
        public void registrar() {
            outcome.waitsFor(upstream, action);
        }

        @Actor
        public void completer() {
            complete();
        }

        @Arbiter
        public void arbiter(Z_Result r) {
            r.r1 = upstream.hasDependents();
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
