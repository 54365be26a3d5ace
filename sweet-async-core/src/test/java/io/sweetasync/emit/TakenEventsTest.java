package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A receiver's shared batch ({@link TakenEvents#shared}) and the memory it holds. */
class TakenEventsTest {

    /**
     * The owner of a shared batch is stuck in its first event; an idle sibling steals the other three, receives
     * them and releases them from the buffer's count, so the sender puts new events in their place. The stolen
     * ones must not stay reachable through the stuck owner's batch beside those: the events in memory are the
     * buffer plus one per worker (README). Before, their slots were dropped only when the owner finished its
     * batch, so each stuck owner kept up to 63 released events alive.
     */
    @Test
    void aStolenEventIsNotKeptAliveByTheBatchOfItsStuckOwner() {
        TakenEvents batch = TakenEvents.shared(4);
        List<WeakReference<Object>> events = new ArrayList<>();
        for (int slot = 0; slot < 4; slot++) {
            Object data = new byte[1_024];
            events.add(new WeakReference<>(data));
            batch.set(slot, slot, data, Instant.EPOCH);
        }
        batch.open(4); // as a take opens it: slot 0 in the owner's hands
        long stolen = 0;
        for (Event<Object> event = batch.steal(); event != null; event = batch.steal()) {
            stolen++;
        }
        assertThat(stolen).isEqualTo(3);
        await().alias("the stolen events collected").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    System.gc();
                    return events.subList(1, 4).stream().allMatch(event -> event.get() == null);
                });
        assertThat(batch.<Object>event(0).data()).as("the owner's own event").isSameAs(events.get(0).get());
        assertThat(batch.close()).as("unclaimed").isZero();
    }
}
