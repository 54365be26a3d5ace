package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review (2): a managed future's {@code Wait.ownWakeIfAny()} answers the future's current wake, not the wake
 * this wait claimed. Another own thread's wait replaces the wake between this wait's {@code ownWake()} and its
 * {@code claim} (no one waited through it yet, and a dependent was added since it was armed; or merely before its
 * maker set {@code armedAmong}, still 0): this own thread then parks through the old wake, and its spare reads the
 * new one, which it does not wait through. Woken (or interrupted, or past its deadline), it gets the grace at most:
 * past it, the spare starts a task beside the woken own thread while that one waits for a processor (SPEC 1.7,
 * README "once the runtime's own thread has been woken ... the spare starts no other task"). The own thread here is a
 * real thread that stays parked, as a woken one does until it runs (as in OwnThreadWakeTest).
 */
@Timeout(30)
class Review10Wake2ClaimedWakeTest {

    @Test
    void theSpareReadsTheWakeItsOwnThreadWaitsThrough() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        OwnThread own = new OwnThread(lock);
        CountDownLatch end = new CountDownLatch(1);
        Thread parked = Thread.ofPlatform().daemon().start(() -> {
            try {
                end.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        while (parked.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        ThreadCarrier ownCarrier = new ThreadCarrier(parked, null);
        ThreadCarrier spareCarrier = new ThreadCarrier(Thread.currentThread(), null);
        Thread otherOwn = Thread.ofPlatform().unstarted(() -> { }); // another single runtime's own thread
        lock.lock();
        try {
            assertThat(own.turn(parked, ownCarrier, false, new OwnThread.Resume())).isEqualTo(OwnThread.Turn.TAKE);
            ManagedFuture<String> awaited = new ManagedFuture<>();
            ManagedFuture<String>.Wait mine = awaited.new Wait(0);
            OwnWake claimed = mine.ownWake(); // this own thread's claimWake: ownWake() ...
            awaited.thenRun(() -> { }); // a callback added meanwhile (by any thread)
            ManagedFuture<String>.Wait theirs = awaited.new Wait(0);
            theirs.ownWake().claim(otherOwn); // the other own thread's wait, between: not usable, replaced
            claimed.claim(parked); // ... then claim()
            ownCarrier.waitingOn = mine;
            awaited.complete("done");
            assertThat(claimed.fired()).as("the wake this own thread waits through woke it").isTrue();

            OwnThread.Resume resume = new OwnThread.Resume();
            assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume)).isEqualTo(OwnThread.Turn.LEAVE);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OwnThread.CHECK_NANOS) * 3); // past the 20 ms grace
            assertThat(parked.getState()).as("the own thread still shows parked").isEqualTo(Thread.State.WAITING);
            assertThat(own.turn(Thread.currentThread(), spareCarrier, false, resume))
                    .as("woken, it runs its body next: the spare must not run a task beside it")
                    .isEqualTo(OwnThread.Turn.LEAVE);
        }
        finally {
            lock.unlock();
            end.countDown();
        }
    }

    /** The same through the race alone: own threads (of several single runtimes) arm at once; each must find the wake it claimed. */
    @org.junit.jupiter.api.RepeatedTest(2000)
    void twoOwnThreadsArmingAtOnceEachWaitFindsItsClaimedWake() throws Exception {
        ManagedFuture<String> awaited = new ManagedFuture<>();
        CountDownLatch start = new CountDownLatch(1);
        boolean[] found = new boolean[4];
        Thread[] threads = new Thread[4];
        for (int i = 0; i < 4; i++) {
            int k = i;
            threads[i] = Thread.ofPlatform().daemon().start(() -> {
                ManagedFuture<String>.Wait wait = awaited.new Wait(0);
                try {
                    start.await();
                }
                catch (InterruptedException ex) {
                    return;
                }
                OwnWake wake = wait.ownWake();
                wake.claim(Thread.currentThread());
                found[k] = wait.ownWakeIfAny() != null && wait.ownWakeIfAny().waits(Thread.currentThread());
            });
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(found).as("each own thread's spare sees the wake it waits through").containsOnly(true);
    }
}
