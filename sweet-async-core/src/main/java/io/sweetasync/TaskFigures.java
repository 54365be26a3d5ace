package io.sweetasync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a task has measured: its attempts, the times of its life (first start, end), the time it waited for a
 * slot or a permit and the time its body ran, and its resource figures (measured over attempts on platform
 * threads, or sampled); {@link TaskSnapshots} reads them into {@link TaskMetrics} and {@link TaskInfo}. The
 * layer above {@link TaskFacts} (what the task is) and below {@link TaskEnding}: one object per task, in layers.
 *
 * <p>Invariants: the times are written only by the thread that owns the step they record (the attempt's
 * runner, the thread that queues the task, or the one thread that finishes it) and read by snapshots at any
 * time: a snapshot is a best-effort view of a running task, exact once the task is terminal (its status is
 * published after the last write). Two pairs are read as one through a {@link Seqlock} each, so that a
 * snapshot never shows a step half recorded:
 * <ul>
 * <li>the run time ({@link #runNanos}, {@link #attemptStartNanos}, count {@link #runWrites}): one writer at a
 * time, the attempt's runner (attempts run one after another, each queued after the one before ended); an
 * attempt's end moves its time from the running part to the sum in a section; its start sets the running
 * part alone, a consistent write on its own;</li>
 * <li>the queue wait ({@link #waiting}, {@link #queuedAtNanos}, {@link #queueWaitNanos}, count
 * {@link #waitWrites}): several writers, for a wait may end on its attempt's runner and on a finisher at once;
 * ending a wait (clearing {@link #waiting}, adding it to the sum) is a section, and the section's turn is the
 * claim, so exactly one adds it. A wait begins ({@link #recordQueued}) only while none is under way: its time,
 * then {@link #waiting}, each a consistent write on its own.</li>
 * </ul>
 * Resource figures measured on a platform thread are written by the attempt's runner only; sampled figures
 * are created at most once (compare-and-set; a losing racer's object is dropped unused); a runaway's hold on
 * its figures changes only by atomic adds, so that exactly one party announces them
 * ({@link #holdFiguresWhileBodyRuns}). The fields {@link TaskSnapshots} reads are package-private for it alone
 * to read: only this class's methods write them.
 */
abstract class TaskFigures<T> extends TaskFacts<T> {

    private static final VarHandle RUN_WRITES = fieldHandle(MethodHandles.lookup(), "runWrites", int.class);
    private static final VarHandle WAIT_WRITES = fieldHandle(MethodHandles.lookup(), "waitWrites", int.class);
    /** In {@link Occasional#lateFigures}: the finisher wants the figures announced once final. */
    private static final int ANNOUNCE_WANTED = 1 << 30;
    /** A measured total that an attempt's figures could not be added to: see {@link #measuredCpu}. */
    private static final long UNMEASURED = Long.MIN_VALUE;

    /** Monotonic time not reached yet. */
    static final long UNSET = Long.MIN_VALUE;

    /** A resource figure attributed from sampled events. */
    enum Resource { CPU, ALLOCATED, READ, WRITTEN }

    volatile int attempts;
    /** Monotonic times of the first start and of the end; {@link #UNSET} until then. */
    volatile long startedNanos = UNSET;
    volatile long completedNanos = UNSET;
    volatile long queuedAtNanos;
    /**
     * Whether the wait since {@link #queuedAtNanos} is still to be added to {@link #queueWaitNanos}: by the
     * attempt that ends it, or, for a task that ends still waiting (cancelled, rejected after maxWait, timed
     * out in the queue), when it completes; taken once, whichever comes first.
     */
    volatile boolean waiting;
    volatile long queueWaitNanos;
    /**
     * The {@link Seqlock} count of the queue wait: a wait's end is a claim and an addition, and a snapshot between
     * the two showed it in neither (1 s of queue wait, then 0, then 1 s).
     */
    @SuppressWarnings("unused") // through WAIT_WRITES
    private volatile int waitWrites;
    volatile long runNanos;
    /**
     * Start of the running attempt, {@link #UNSET} when none runs (a clock may read 0: a manual one starts there).
     */
    volatile long attemptStartNanos = UNSET;
    /**
     * The {@link Seqlock} count of the run time: an attempt's end is two writes, and a snapshot between the two
     * showed the attempt in both (a task that ran 1 s, 2 s).
     */
    @SuppressWarnings("unused") // through RUN_WRITES
    private volatile int runWrites;
    /**
     * Measured totals over attempts on platform threads; -1 until measured, {@link #UNMEASURED} once an attempt
     * ran where its counters could not be read (a virtual thread): a sum without it would not be exact. Written
     * by the attempt's runner (attempts run one after another).
     */
    volatile long measuredCpu = -1;
    volatile long measuredAllocated = -1;

    TaskFigures(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    int attempts() {
        return attempts;
    }

    /**
     * Marks a durable task, before it is submitted: re-run after a crash instead of being lost, its
     * attempts counting on from {@code priorAttempts} (the runs its invocation already had). {@code rerun}: it runs
     * again a stored invocation this member claimed or found owned here (not its submission's or its placement's
     * first start), whose invocation a refusal here leaves pending ({@link #isUnrunRerun}), whatever runs it had
     * before: one a shutdown turned back before it ran had none, and its first real run is attempt 1.
     */
    void markDurable(int priorAttempts, boolean rerun) {
        Occasional rare = occasional(); // durable tasks are few: their marks live out of the task's own object
        rare.priorAttempts = priorAttempts;
        rare.rerun = rerun;
        attempts = priorAttempts;
        rare.durable = true; // last: whoever reads it durable reads the other two as set
    }

    /**
     * Whether this is a re-run of a stored invocation (after a crash, a hand-over) that made no attempt here: turned
     * away before it ran, its invocation is not done.
     */
    boolean isUnrunRerun() {
        Occasional rare = occasionalOrNull();
        return rare != null && rare.rerun && attempts == rare.priorAttempts;
    }

    boolean isDurable() {
        Occasional rare = occasionalOrNull();
        return rare != null && rare.durable;
    }

    /**
     * A durable task's handle that runs in its own body a run it claimed ({@link DurableMirror}): that run's attempt
     * number, as a re-run of its own counts it ({@code TaskContext.attempt()}, its record); on its body's thread, the
     * owner of this count while the body runs.
     */
    void runsAsAttempt(int attempt) {
        attempts = attempt;
    }

    // ---- times (written by the step's owner) ----------------------------------------------------

    /** The task was queued (again) now. */
    void recordQueued() {
        recordQueued(clockNow());
    }

    /** The task was queued at {@code now} (for a task queued as it is created: its creation time). */
    void recordQueued(long now) {
        if (isFinished()) {
            return; // finished while being queued, before this wait would begin: no wait (the check below for later)
        }
        queuedAtNanos = now; // no wait is under way: read only once waiting says so
        waiting = true;
        if (isFinished()) {
            // It finished while being queued (a cancel racing a retry's resubmission), before this wait began:
            // nothing would end the wait, and the finished task's queue wait would grow for ever. finish() marks
            // the task finished before it ends the wait, this reads that after starting it: one side ends it.
            endWait(now);
        }
    }

    /** Adds the wait since the task was last queued, if not added yet. */
    private void endWait(long now) {
        if (!waiting) { // a plain read first: most ends wait for nothing
            return;
        }
        int section = Seqlock.beginWrite(WAIT_WRITES, this);
        if (waiting) { // its writers take turns: the first to find it waiting adds it
            waiting = false;
            queueWaitNanos += Math.max(0, now - queuedAtNanos);
        }
        Seqlock.endWrite(WAIT_WRITES, this, section);
    }

    /**
     * Whether the task has neither waited nor run yet (a snapshot at its creation): the queue wait read as
     * {@link #queueWaitNanosAt} reads it, so that a wait that is ending is not taken for none.
     */
    boolean untimed() {
        return attempts == 0 && runNanos == 0 && attemptStartNanos == UNSET
                && Seqlock.read(WAIT_WRITES, this, 0, TaskFigures::waitedOrWaiting) == 0;
    }

    /** 0 while the task neither waits nor has waited; read whole through {@link #waitWrites}. */
    private static long waitedOrWaiting(TaskFigures<?> task, long unused) {
        return task.waiting ? 1 : task.queueWaitNanos;
    }

    /** The time waited for a slot or a permit until {@code now}: the ended waits' and the current one's so far. */
    long queueWaitNanosAt(long now) {
        return Seqlock.read(WAIT_WRITES, this, now, TaskFigures::waitedUntil);
    }

    /**
     * The wait pair's time until {@code now}; read whole through {@link #waitWrites}. A wait under way once the
     * task's end is recorded counts nothing: the end's own {@link #endWait} ran before, so this one was marked
     * after it by a late resubmission, which then finds the task finished and ends it adding nothing (its start is
     * its end); counted meanwhile, a finished task's queue wait grew with the clock until then.
     */
    private static long waitedUntil(TaskFigures<?> task, long now) {
        boolean current = task.waiting; // first: the wait's start time is read only once it says so
        if (!current || task.completedNanos != UNSET) {
            return task.queueWaitNanos;
        }
        return task.queueWaitNanos + Math.max(0, now - task.queuedAtNanos);
    }

    /** An attempt starts now, on its runner's thread; returns its start time. */
    long recordAttemptStart() {
        long start = settings.orchestrator.parts().clock().nanoTime();
        endWait(start);
        attempts = attempts + 1;
        if (startedNanos == UNSET) {
            startedNanos = start;
        }
        attemptStartNanos = start; // the running part alone: the run time's pair is whole after it
        settings.usage().attempt();
        return start;
    }

    /** The attempt started at {@code start} has ended, on its runner's thread; returns its end time. */
    long recordAttemptEnd(long start) {
        long end = clockNow();
        int section = Seqlock.beginWrite(RUN_WRITES, this);
        runNanos += end - start;
        attemptStartNanos = UNSET;
        Seqlock.endWrite(RUN_WRITES, this, section);
        return end;
    }

    /** The time run until {@code now}: the ended attempts' and the running one's so far. */
    long runNanosAt(long now) {
        return Seqlock.read(RUN_WRITES, this, now, TaskFigures::ranUntil);
    }

    /** The run pair's time until {@code now}; read whole through {@link #runWrites}. */
    private static long ranUntil(TaskFigures<?> task, long now) {
        long running = task.attemptStartNanos;
        return task.runNanos + (running == UNSET ? 0 : Math.max(0, now - running));
    }

    /** The task finishes at {@code now}; called once, by the thread that finishes it. */
    void recordCompleted(long now) {
        endWait(now); // it ended while waiting for a slot or a permit: that wait was QUEUED time too
        completedNanos = now;
    }

    // ---- resources ------------------------------------------------------------------------------

    /**
     * Adds the figures measured over one attempt on a platform thread; called by its runner. A negative
     * figure (an attempt on a virtual thread, or counters the JVM does not provide) makes the task's total
     * unmeasured for good: the totals are "summed over attempts", and a sum missing one is no measurement.
     */
    void addMeasured(long cpuNanos, long allocatedBytes) {
        measuredCpu = plusAttempt(measuredCpu, cpuNanos);
        measuredAllocated = plusAttempt(measuredAllocated, allocatedBytes);
        settings.usage().addMeasured(cpuNanos, allocatedBytes);
    }

    /**
     * An attempt runs where its counters cannot be read (a virtual thread): the task's measured totals are
     * unmeasured from now on. Cheaper than {@link #addMeasured} with negative figures, which virtual-thread
     * attempts (most of them) would pay for a visit to the name's totals that adds nothing.
     */
    void attemptUnmeasured() {
        if (measuredCpu != UNMEASURED || measuredAllocated != UNMEASURED) {
            measuredCpu = UNMEASURED;
            measuredAllocated = UNMEASURED;
        }
    }

    private static long plusAttempt(long total, long attempt) {
        if (attempt < 0 || total == UNMEASURED) {
            return UNMEASURED;
        }
        return Math.max(0, total) + attempt;
    }

    /** This task's sampled figures, created on first use; called by the attribution when an attempt opens. */
    SampledFigures sampledFigures(boolean cpuSampled) {
        Occasional rare = occasional();
        SampledFigures figures = rare.sampled;
        if (figures == null) {
            Occasional.SAMPLED.compareAndSet(rare, null,
                    new SampledFigures(self(), settings.usage(), cpuSampled));
            figures = rare.sampled;
        }
        return figures;
    }

    /** Whether sampled figures of this task's work are still to arrive. */
    boolean resourcesPending() {
        SampledFigures figures = sampledOrNull();
        return figures != null && figures.isPending();
    }

    /**
     * Asks for this finished task's sampled figures to be announced once final; returns whether they
     * already are, in which case the caller announces them (see {@link SampledFigures}).
     */
    boolean announceResourcesWhenFinal() {
        SampledFigures figures = sampledOrNull();
        return figures != null && figures.announceWhenFinal();
    }

    /**
     * This task's body still runs as it is ended (a runaway, see {@link Runaways#starting}): its attempt's
     * figures are not in until it returns, and the task is announced only after that. Called before the task
     * finishes, by the thread that ends it; at most once.
     *
     * <p>A two-party handshake, as {@link SampledFigures}' announcing: the finisher adds
     * {@link #ANNOUNCE_WANTED} after its listeners saw pending figures ({@link #wantFiguresAnnounced}), the
     * body's return takes the hold away ({@link #bodyReturnedAfterEnd}); whichever of the two atomic updates
     * comes second sees the other's and carries on to the announcing (then still gated by the sampled
     * figures, if any), so exactly one does.
     */
    void holdFiguresWhileBodyRuns() {
        Occasional.LATE_FIGURES.getAndAdd(occasional(), 1);
    }

    /**
     * The runaway body has returned and its attempt's figures are in ({@link #holdFiguresWhileBodyRuns});
     * returns whether the finisher asked for an announcement already and the caller must carry it on.
     */
    boolean bodyReturnedAfterEnd() {
        int before = (int) Occasional.LATE_FIGURES.getAndAdd(occasional(), -1);
        return before == (ANNOUNCE_WANTED | 1);
    }

    /**
     * Called by the finisher after {@code onFinished} showed pending figures; returns whether no runaway
     * body holds them any more and the caller must carry the announcement on.
     */
    boolean wantFiguresAnnounced() {
        int before = (int) Occasional.LATE_FIGURES.getAndAdd(occasional(), ANNOUNCE_WANTED);
        return (before & ~ANNOUNCE_WANTED) == 0;
    }

    /** This task's sampled figures, null if none were created. */
    SampledFigures sampledOrNull() {
        Occasional rare = occasionalOrNull();
        return rare == null ? null : rare.sampled;
    }
}
