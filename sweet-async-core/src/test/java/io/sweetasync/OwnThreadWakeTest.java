package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@code single} runtime's spare does once the own thread's wait is released ({@link OwnThread#turn}): it
 * leaves the next task to the own thread for as long as that thread's {@link OwnWake} has woken it, however long the
 * thread then waits for a processor (a loaded machine: it shows parked meanwhile); a wait released but not woken yet
 * (the completing thread runs newer dependents first, one of which may wait for that task) is given the grace at most.
 * The own thread here is a real thread that stays parked, as a woken one does until it runs.
 */
@Timeout(30)
class OwnThreadWakeTest {

    private final ReentrantLock lock = new ReentrantLock();
    private final OwnThread own = new OwnThread(lock);
    private final CountDownLatch end = new CountDownLatch(1);
    private Thread parked;
    private ThreadCarrier ownCarrier;
    private final ThreadCarrier spareCarrier = new ThreadCarrier(Thread.currentThread(), null);

    @BeforeEach
    void ownThreadParked() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        parked = Thread.ofPlatform().daemon().start(() -> {
            started.countDown();
            try {
                end.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        while (parked.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        ownCarrier = new ThreadCarrier(parked, null);
        lock.lock();
        assertThat(own.turn(parked, ownCarrier, false, new OwnThread.Resume())).as("the first to look is the own thread")
                .isEqualTo(OwnThread.Turn.TAKE);
    }

    @AfterEach
    void release() {
        lock.unlock();
        end.countDown();
    }

    @Test
    void aWokenOwnThreadIsLeftTheNextTaskPastTheGrace() throws InterruptedException {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = awaited.new Wait(0);
        wait.ownWake().claim(parked);
        ownCarrier.waitingOn = wait;
        awaited.complete("done");
        assertThat(wait.ownWake().fired()).isTrue();

        OwnThread.Resume resume = new OwnThread.Resume();
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3); // past the 20 ms grace
        assertThat(parked.getState()).as("the own thread still shows parked").isEqualTo(Thread.State.WAITING);
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                .as("woken, it runs its body next: the spare does not run a task beside it").isEqualTo(OwnThread.Turn.LEAVE);
        assertThat(own.turn(Thread.currentThread(), spareCarrier, true, resume)).as("surplus, the spare retires")
                .isEqualTo(OwnThread.Turn.RETIRE);
    }

    @Test
    void aReleasedWaitNotYetWokenIsLeftTheGraceAtMost() throws InterruptedException {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = awaited.new Wait(0);
        wait.ownWake().claim(parked);
        ownCarrier.waitingOn = wait;
        CountDownLatch inNewerDependent = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        awaited.thenRun(() -> { // newer than the wake's dependent: run first, and it waits
            inNewerDependent.countDown();
            try {
                leave.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        Thread completer = Thread.ofPlatform().daemon().start(() -> awaited.complete("done"));
        try {
            assertThat(inNewerDependent.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(wait.isReleasable()).as("done").isTrue();
            assertThat(wait.ownWake().fired()).as("the wake's dependent has not run yet").isFalse();

            OwnThread.Resume resume = new OwnThread.Resume();
            assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3);
            assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                    .as("past the grace the spare takes it: the dependent run before the wake may wait for it")
                    .isEqualTo(OwnThread.Turn.TAKE);
        }
        finally {
            leave.countDown();
            completer.join(10_000);
        }
        assertThat(wait.ownWake().fired()).isTrue();
    }

    @Test
    void aTimedWaitPastItsDeadlineWakesByItself() {
        ManagedFuture<String> never = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = never.new Wait(1);
        wait.ownWake().claim(parked);
        while (!wait.isReleasable()) {
            Thread.onSpinWait();
        }
        assertThat(wait.ownWake().fired()).isFalse();
        ownCarrier.waitingOn = wait;
        OwnThread.Resume resume = new OwnThread.Resume();
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
        long past = System.nanoTime() + TimeUnit.NANOSECONDS.convert(30, TimeUnit.MILLISECONDS);
        while (System.nanoTime() - past < 0) {
            Thread.onSpinWait();
        }
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                .as("its own timer wakes it: it runs its body next").isEqualTo(OwnThread.Turn.LEAVE);
    }

    @Test
    void twoOwnThreadsWaitingOnOneFutureAreBothWokenAndLeftTheirNextTask() throws InterruptedException {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = awaited.new Wait(0);
        Thread other = Thread.ofPlatform().unstarted(() -> { }); // another single runtime's own thread
        wait.ownWake().claim(other);
        wait.ownWake().claim(parked);
        ownCarrier.waitingOn = wait;
        awaited.complete("done");

        OwnThread.Resume resume = new OwnThread.Resume();
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3);
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                .as("this own thread was woken too").isEqualTo(OwnThread.Turn.LEAVE);
        wait.ownWake().unclaim(parked);
        assertThat(wait.ownWake().waits(parked)).isFalse();
        assertThat(wait.ownWake().waits(other)).as("the other's claim stays").isTrue();
    }

    /**
     * An own thread interrupted in its wait (its task cancelled) leaves it for its body's catch by itself: until it runs,
     * it shows waiting, its future not done; the spare must not start a task beside it meanwhile. An unstarted thread
     * stands for one not given a processor yet (interrupted, it keeps the flag; it never runs).
     */
    @Test
    void anOwnThreadInterruptedInItsWaitIsLeftTheNextTask() throws InterruptedException {
        ReentrantLock otherLock = new ReentrantLock();
        OwnThread other = new OwnThread(otherLock);
        Thread waiting = Thread.ofPlatform().unstarted(() -> { });
        ThreadCarrier waitingCarrier = new ThreadCarrier(waiting, null);
        otherLock.lock();
        try {
            assertThat(other.turn(waiting, waitingCarrier, false, new OwnThread.Resume())).isEqualTo(OwnThread.Turn.TAKE);
            ManagedFuture<String> never = new ManagedFuture<>();
            ManagedFuture<String>.Wait wait = never.new Wait(0);
            wait.ownWake().claim(waiting);
            waitingCarrier.waitingOn = wait;
            OwnThread.Resume resume = new OwnThread.Resume();
            assertThat(other.turn(Thread.currentThread(), spareCarrier, false, resume))
                    .as("waiting, not interrupted: the spare runs queued work").isEqualTo(OwnThread.Turn.TAKE);

            waiting.interrupt();
            assertThat(other.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3);
            assertThat(other.turn(Thread.currentThread(), spareCarrier, false, resume))
                    .as("interrupted, it goes back to its body: past the grace too").isEqualTo(OwnThread.Turn.LEAVE);
        }
        finally {
            otherLock.unlock();
        }
    }

    @Test
    void aManagedFutureArmsAWakePerWaitAndAWaitEndedUnfiredLeavesNothingOnIt() {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        ManagedFuture<String>.Wait first = awaited.new Wait(0);
        OwnWake wake = first.ownWake();
        assertThat(first.ownWake()).as("one per wait").isSameAs(wake);
        assertThat(awaited.new Wait(0).ownWake()).as("another wait's own").isNotSameAs(wake);
        wake.claim(parked);
        wake.unclaim(parked); // ended unfired (expired, interrupted): disarmed
        assertThat(wake.fired()).isFalse();
        awaited.new Wait(0).ownWake().unclaim(parked); // one never claimed is disarmed by nothing: it waits for the future
        assertThat(awaited.getNumberOfDependents()).as("the disarmed wake's node is dropped: the two armed waits' stay").isEqualTo(2);

        ManagedFuture<String>.Wait second = awaited.new Wait(0);
        OwnWake armed = second.ownWake();
        armed.claim(parked);
        awaited.completeExceptionally(new IllegalStateException("failed"));
        assertThat(armed.fired()).as("a failure wakes the waiter too").isTrue();
        assertThat(wake.fired()).as("a disarmed wake stays unfired").isFalse();
        assertThat(awaited.new Wait(0).ownWake()).as("a done future's wait needs none").isNull();
    }
}
