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
 * leaves the next task to the own thread for as long as that thread has been woken, however long the thread then
 * waits for a processor (a loaded machine: it shows parked meanwhile); only a wait released but not yet woken (the
 * completing thread runs newer dependents first, one of which may wait for that task) is given the grace at most.
 * The own thread here is a real thread that stays parked, as a woken one does until it runs.
 */
@Timeout(30)
class OwnThreadWakeTest {

    private final ReentrantLock lock = new ReentrantLock();
    private final OwnThread own = new OwnThread(lock);
    private final CountDownLatch end = new CountDownLatch(1);
    private Thread parked;
    private Carrier.ThreadCarrier ownCarrier;
    private final Carrier.ThreadCarrier spareCarrier = new Carrier.ThreadCarrier(Thread.currentThread(), null);

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
        ownCarrier = new Carrier.ThreadCarrier(parked, null);
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
        wait.markWake();
        ownCarrier.waitingOn = wait;
        awaited.complete("done");
        assertThat(wait.woken()).isTrue();

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
        ManagedFuture<String>.Wait wait = awaited.new Wait(0); // no mark: its waiter's signal not known to be given
        ownCarrier.waitingOn = wait;
        awaited.complete("done");
        assertThat(wait.woken()).isFalse();

        OwnThread.Resume resume = new OwnThread.Resume();
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3);
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                .as("past the grace the spare takes it: a dependent run before the signal may wait for it")
                .isEqualTo(OwnThread.Turn.TAKE);
    }

    @Test
    void aTimedWaitPastItsDeadlineWakesByItselfAndPutsNoMarkOnTheFuture() {
        ManagedFuture<String> never = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = never.new Wait(1);
        wait.markWake();
        assertThat(never.getNumberOfDependents()).as("no mark left on a future that may never complete").isZero();
        while (!wait.isReleasable()) {
            Thread.onSpinWait();
        }
        assertThat(wait.woken()).isTrue();
        ownCarrier.waitingOn = wait;
        assertThat(own.turn(Thread.currentThread(), spareCarrier, false, new OwnThread.Resume()))
                .isEqualTo(OwnThread.Turn.LEAVE);
    }

    @Test
    void theMarkIsSetOnlyOnceTheAwaitedFutureCompletes() {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        ManagedFuture<String>.Wait wait = awaited.new Wait(0);
        wait.markWake();
        assertThat(wait.woken()).isFalse();
        awaited.completeExceptionally(new IllegalStateException("failed"));
        assertThat(wait.woken()).as("a failure wakes the waiter too").isTrue();
    }
}
