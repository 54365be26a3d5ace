package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * Completion, cancellation and the deadline racing in pairs: exactly one terminal status, consistent
 * with the result every waiter sees, and no lost wake-up (the task is done when the actors are).
 */
public class TerminalStatusStress {

    private TerminalStatusStress() {
    }

    /** A task whose attempt an actor runs, and the verdict the arbiter gives. */
    abstract static class Race {

        final SpawningTask<Integer> task = Stress.orchestrator().to(Integer.class).runtime(Stress.MANUAL).run(() -> 42);
        final Runnable attempt = Stress.takeCaptured();

        String verdict() {
            if (!task.status().isTerminal()) {
                return "not done: " + task.status();
            }
            return task.status() + " " + (task.result() instanceof TaskResult.Ok ? "Ok" : "Err");
        }

        void deadline() {
            ((TaskNode<Integer>) task).stop(StopKind.TIMEOUT, "deadline");
        }
    }

    @JCStressTest
    @Outcome(id = "COMPLETED Ok", expect = ACCEPTABLE, desc = "the body won")
    @Outcome(id = "CANCELLED Err", expect = ACCEPTABLE, desc = "cancel won")
    @Outcome(expect = FORBIDDEN, desc = "not terminal, or status and result disagree")
    @State
    public static class BodyVersusCancel extends Race {

        @Actor
        public void body() {
            attempt.run();
        }

        @Actor
        public void cancel() {
            task.cancel();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = verdict();
        }
    }

    /**
     * The terminal decision is atomic: {@code cancel()} returns true exactly when the task ends
     * {@code CANCELLED} (a stop that lands while the finishing thread decides the status either decides
     * it or fails, because finishing seals the stop request).
     */
    @JCStressTest
    @Outcome(id = "true CANCELLED Err", expect = ACCEPTABLE, desc = "cancel won and said so")
    @Outcome(id = "false COMPLETED Ok", expect = ACCEPTABLE, desc = "the body won; cancel said it had not cancelled")
    @Outcome(expect = FORBIDDEN, desc = "cancel() disagrees with the terminal status")
    @State
    public static class CancelResultVersusBody extends Race {

        private volatile boolean cancelled;

        @Actor
        public void body() {
            attempt.run();
        }

        @Actor
        public void cancel() {
            cancelled = task.cancel();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = cancelled + " " + verdict();
        }
    }

    @JCStressTest
    @Outcome(id = "COMPLETED Ok", expect = ACCEPTABLE, desc = "the body won")
    @Outcome(id = "TIMED_OUT Err", expect = ACCEPTABLE, desc = "the deadline won")
    @Outcome(expect = FORBIDDEN, desc = "not terminal, or status and result disagree")
    @State
    public static class BodyVersusDeadline extends Race {

        @Actor
        public void body() {
            attempt.run();
        }

        @Actor
        public void expire() {
            deadline();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = verdict();
        }
    }

    @JCStressTest
    @Outcome(id = "CANCELLED Err", expect = ACCEPTABLE, desc = "cancel won")
    @Outcome(id = "TIMED_OUT Err", expect = ACCEPTABLE, desc = "the deadline won")
    @Outcome(expect = FORBIDDEN, desc = "not terminal, both, or the body ran after a stop")
    @State
    public static class CancelVersusDeadline extends Race {

        @Actor
        public void cancel() {
            task.cancel();
        }

        @Actor
        public void expire() {
            deadline();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            attempt.run(); // a queued attempt that starts after a stop must not run the body
            r.r1 = verdict();
        }
    }

    /**
     * Two cancellations racing: one wins, and both say true, because the task ends {@code CANCELLED}
     * ({@code cancel()} is true exactly when it does, as {@code CompletableFuture.cancel} is true when the
     * future is cancelled, whoever cancelled it).
     */
    @JCStressTest
    @Outcome(id = "true true CANCELLED Err", expect = ACCEPTABLE, desc = "both say the task ends cancelled")
    @Outcome(expect = FORBIDDEN, desc = "a cancel() disagrees with the terminal status, or not terminal")
    @State
    public static class TwoCancels extends Race {

        private volatile boolean first;
        private volatile boolean second;

        @Actor
        public void cancel() {
            first = task.cancel();
        }

        @Actor
        public void cancelToo() {
            second = task.cancel();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            attempt.run();
            r.r1 = first + " " + second + " " + verdict();
        }
    }
}
