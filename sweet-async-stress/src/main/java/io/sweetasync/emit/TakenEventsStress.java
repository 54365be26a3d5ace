package io.sweetasync.emit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Instant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * A shared batch ({@link TakenEvents#shared}) claimed by its owner and stolen from by an idle worker at
 * once: every slot after the owner's first goes to exactly one of them, a stolen event is the one in
 * its slot, and a refill for the next batch never hands a thief an event of the old one or a slot of
 * the new one twice.
 */
public class TakenEventsStress {

    private static final Instant AT = Instant.EPOCH;

    private TakenEventsStress() {
    }

    /** A batch of four events (data = 10 + slot, sequence = slot), opened as a take would open it. */
    static TakenEvents opened(int first) {
        TakenEvents batch = TakenEvents.shared(4);
        for (int slot = 0; slot < 4; slot++) {
            batch.set(slot, first + slot, first + 10 + slot, AT);
        }
        batch.open(4);
        return batch;
    }

    /** A slot's data as a long (the events hold ints), or null. */
    static Long toLong(Object data) {
        return data instanceof Number number ? number.longValue() : null;
    }

    /** Steals until nothing is left; each stolen event as "sequence:data". */
    static String stealAll(TakenEvents batch) {
        StringBuilder stolen = new StringBuilder();
        for (Event<Object> event = batch.steal(); event != null; event = batch.steal()) {
            stolen.append(event.sequence()).append(':').append(event.data()).append(' ');
        }
        return stolen.toString();
    }

    /** The owner claims slot by slot while a thief steals: each of slots 1-3 exactly once, data matching. */
    @JCStressTest
    @Outcome(id = "ok", expect = ACCEPTABLE, desc = "slots 1-3 each went to one of them, with their own data")
    @Outcome(expect = FORBIDDEN, desc = "a slot lost, claimed twice, or stolen with another slot's data")
    @State
    public static class ClaimVersusSteal {

        private final TakenEvents batch = opened(0);
        private final boolean[] owner = new boolean[4];
        private String stolen;

        @Actor
        public void owner() {
            for (int slot = batch.claim(); slot >= 0; slot = batch.claim()) {
                owner[slot] = true;
            }
        }

        @Actor
        public void thief() {
            stolen = stealAll(batch);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            StringBuilder problems = new StringBuilder();
            for (int slot = 1; slot < 4; slot++) {
                boolean byThief = stolen.contains(slot + ":" + (10 + slot) + " ");
                if (owner[slot] == byThief) {
                    problems.append("slot ").append(slot).append(owner[slot] ? " twice; " : " lost; ");
                }
            }
            if (owner[0] || stolen.contains("0:")) {
                problems.append("slot 0 (in hand) claimed again; ");
            }
            int stolenCount = stolen.isEmpty() ? 0 : stolen.trim().split(" ").length;
            int ownerCount = (owner[1] ? 1 : 0) + (owner[2] ? 1 : 0) + (owner[3] ? 1 : 0);
            if (stolenCount + ownerCount != 3) {
                problems.append("stolen ").append(stolen).append("; ");
            }
            r.r1 = problems.isEmpty() ? "ok" : problems.toString();
        }
    }

    /**
     * The owner closes its batch (stuck no more: it gives up the rest) and refills the slots for the next
     * batch while a thief steals: the thief gets events of the first batch only from before the close,
     * and the unclaimed count plus what was stolen is the first batch's three; of the second batch, the
     * thief takes only whole, matching events, and every slot it did not take still holds its event (a thief
     * drops the slot it stole from the first batch before the owner's close returns, never on the refill).
     */
    @JCStressTest
    @Outcome(id = "ok", expect = ACCEPTABLE, desc = "the first batch's slots split between close and thief; no torn event")
    @Outcome(expect = FORBIDDEN, desc = "an event lost, stolen twice, or made of two batches' slots")
    @State
    public static class CloseAndRefillVersusSteal {

        private final TakenEvents batch = opened(0);
        private int unclaimed;
        private String stolen;

        @Actor
        public void owner() {
            unclaimed = batch.close();
            for (int slot = 0; slot < 4; slot++) {
                batch.set(slot, 100 + slot, 100 + 10 + slot, AT);
            }
            batch.open(4);
        }

        @Actor
        public void thief() {
            stolen = stealAll(batch);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            StringBuilder problems = new StringBuilder();
            int fromFirst = 0;
            for (String event : stolen.isEmpty() ? new String[0] : stolen.trim().split(" ")) {
                String[] parts = event.split(":");
                long sequence = Long.parseLong(parts[0]);
                long data = Long.parseLong(parts[1]);
                if (data != sequence + 10 || sequence % 100 == 0) {
                    problems.append("torn or in-hand event ").append(event).append("; ");
                }
                if (sequence < 100) {
                    fromFirst++;
                }
            }
            for (int slot = 0; slot < 4; slot++) {
                long sequence = 100 + slot;
                Object data = batch.event(slot).data();
                if (!stolen.contains(sequence + ":") && !Long.valueOf(sequence + 10).equals(toLong(data))) {
                    problems.append("slot ").append(slot).append(" of the refill holds ").append(data).append("; ");
                }
            }
            if (fromFirst + unclaimed != 3) {
                problems.append("first batch: stolen ").append(fromFirst).append(" + unclaimed ").append(unclaimed)
                        .append(" != 3; ");
            }
            r.r1 = problems.isEmpty() ? "ok" : problems.toString();
        }
    }
}
