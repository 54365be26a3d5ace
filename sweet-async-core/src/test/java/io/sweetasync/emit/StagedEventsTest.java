package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StagedEventsTest {

    /**
     * A sender spins for its staging while the coordinator publishes it; a coordinator on a virtual thread that
     * parks meanwhile (on the buffer's lock, held by a receiver) needs a carrier to go on. Senders on virtual
     * threads that only spun held every carrier (on a 1-CPU machine: the one), so the coordinator never got one
     * and the pipeline hung for good. Here more stagings than carriers are held by "coordinators" that can only
     * release them from virtual threads started after the senders began to spin: every sender must get through.
     * (Yielding was not enough: a yielded virtual thread can go back to its carrier's own queue, run before the
     * threads woken from elsewhere.)
     */
    @Test
    void sendersSpinningForTheirStagingsLeaveTheCoordinatorACarrier() throws Exception {
        int senders = 4 * Runtime.getRuntime().availableProcessors() + 4;
        EventBuffer buffer = new EventBuffer(16);
        EmissionClock clock = new EmissionClock();
        Set<StagedEvents> live = ConcurrentHashMap.newKeySet();
        Field busyField = StagedEvents.class.getDeclaredField("busy");
        busyField.setAccessible(true);
        List<AtomicBoolean> held = new ArrayList<>();
        List<StagedEvents> stagings = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            StagedEvents staging = new StagedEvents(buffer, clock, live, new LongAdder());
            AtomicBoolean busy = (AtomicBoolean) busyField.get(staging);
            busy.set(true); // as the coordinator's rescue holds it while it publishes
            held.add(busy);
            stagings.add(staging);
        }
        AtomicInteger spinning = new AtomicInteger();
        CountDownLatch through = new CountDownLatch(senders);
        try {
            // Started from a virtual thread, as a pipeline's coordinator starts its senders: they wait in that
            // carrier's own queue, where a yielding one would go back too, ahead of threads woken from elsewhere.
            Thread.ofVirtual().start(() -> {
                for (StagedEvents staging : stagings) {
                    Thread.ofVirtual().start(() -> {
                        spinning.incrementAndGet();
                        staging.finish(); // spins for the staging
                        through.countDown();
                    });
                }
            });
            // Every carrier taken by a spinning sender (a bounded wait: fewer carriers than processors is fine too)
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (spinning.get() < Math.min(senders, Runtime.getRuntime().availableProcessors())
                    && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            for (AtomicBoolean busy : held) {
                // the coordinator, back from its park: woken by a platform thread (a receiver on a platform runtime
                // releasing the buffer's lock)
                Thread.ofVirtual().start(() -> busy.setRelease(false));
            }
            assertThat(through.await(20, TimeUnit.SECONDS)).as("senders through (of %d)", senders).isTrue();
        }
        finally {
            held.forEach(busy -> busy.setRelease(false)); // a failed run must not leave this JVM's carriers spinning
        }
        assertThat(live).isEmpty();
    }

    /**
     * A batch the closed buffer refuses gives its reserved slots back once: the refusal released them, so the
     * sender's {@code finish()} after it (in its {@code finally}) must not publish, and release, the same batch
     * again (the buffer's count of used slots went negative by a batch).
     */
    @Test
    void aRefusedBatchReleasesItsSlotsOnce() throws Exception {
        EventBuffer buffer = new EventBuffer(16);
        StagedEvents staging = new StagedEvents(buffer, new EmissionClock(), ConcurrentHashMap.newKeySet(),
                new LongAdder());
        Field size = StagedEvents.class.getDeclaredField("size");
        size.setAccessible(true);
        size.setInt(staging, 4); // as after fast pulls: the next reservation is four slots
        staging.offer("a");
        assertThat(buffer.used()).as("a batch of four reserved").isEqualTo(4);
        buffer.close(); // the pipeline is stopped while the batch fills
        staging.offer("b");
        staging.offer("c");
        assertThatThrownBy(() -> staging.offer("d")).as("the full batch is refused")
                .isInstanceOf(IllegalStateException.class);
        assertThat(buffer.used()).as("the refused batch's slots released").isZero();
        staging.finish(); // the sender's finally: nothing left to publish
        assertThat(buffer.used()).as("released once").isZero();
    }
}
