package io.sweetasync.emit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * The pipeline's buffer ({@link EventBuffer}) between a sender and a receiver, and between two
 * receivers: no event lost or delivered twice, sequences dense and in order, no lost wake-up (a
 * receiver that waits is woken by the publish or the close), and every slot released at the end.
 */
public class EventBufferStress {

    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);

    private EventBufferStress() {
    }

    /** Takes up to {@code limit} events in batches of at most {@code max}, releasing each batch. */
    static String receive(EventBuffer buffer, int max, int limit) {
        StringBuilder received = new StringBuilder();
        TakenEvents batch = new TakenEvents(max);
        try {
            for (int total = 0; total < limit;) {
                int taken = buffer.take(batch, 0, max, true, WAIT);
                if (taken < 0) {
                    return received.toString();
                }
                if (taken == 0) {
                    return received.append(" (a receiver waited in vain)").toString();
                }
                for (int i = 0; i < taken; i++) {
                    Event<?> event = batch.event(i);
                    received.append(event.data()).append(event.sequence());
                }
                buffer.release(taken - 1);
                total += taken;
            }
            return received.toString();
        }
        catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A sender actor and a receiver actor around one buffer; the arbiter reports what was received. */
    abstract static class SenderAndReceiver {

        final EventBuffer buffer;
        String received;

        SenderAndReceiver(int capacity) {
            buffer = new EventBuffer(capacity);
        }

        void report(LL_Result r) {
            r.r1 = received;
            r.r2 = buffer.used();
        }
    }

    /** Capacity 1: the second put waits for the receiver to take the first. */
    @JCStressTest
    @Outcome(id = "a0b1, 0", expect = ACCEPTABLE, desc = "both events once, in order, every slot released")
    @Outcome(expect = FORBIDDEN, desc = "an event lost, repeated or out of order, a lost wake-up, or a slot leaked")
    @State
    public static class HandOff extends SenderAndReceiver {

        public HandOff() {
            super(1);
        }

        @Actor
        public void sender() {
            try {
                buffer.put("a", Instant.EPOCH);
                buffer.put("b", Instant.EPOCH);
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Actor
        public void receiver() {
            received = receive(buffer, 4, 2);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            report(r);
        }
    }

    /** A batch published under a larger reservation, then the close, against a batching receiver. */
    @JCStressTest
    @Outcome(id = "a0b1c2, 0", expect = ACCEPTABLE, desc = "every event once, in order, then the end; nothing held")
    @Outcome(expect = FORBIDDEN, desc = "an event lost or repeated, the end missed, or a slot leaked")
    @State
    public static class BatchThenClose extends SenderAndReceiver {

        public BatchThenClose() {
            super(4);
        }

        @Actor
        public void sender() {
            try {
                int reserved = buffer.reserve(3);
                buffer.publish(new Object[] { "a", "b" }, 2, reserved, Instant.EPOCH);
                buffer.put("c", Instant.EPOCH);
                buffer.close();
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Actor
        public void receiver() {
            received = receive(buffer, 2, Integer.MAX_VALUE);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            report(r);
        }
    }

    /** Two receivers draining three queued events: each event goes to exactly one of them. */
    @JCStressTest
    @Outcome(id = "abc, 0", expect = ACCEPTABLE, desc = "each event taken exactly once, nothing held")
    @Outcome(expect = FORBIDDEN, desc = "an event lost or taken twice, or a slot leaked")
    @State
    public static class TwoReceivers {

        private final EventBuffer buffer = new EventBuffer(3);
        private String first;
        private String second;

        public TwoReceivers() {
            try {
                int reserved = buffer.reserve(3);
                buffer.publish(new Object[] { "a", "b", "c" }, 3, reserved, Instant.EPOCH);
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
            buffer.close();
        }

        @Actor
        public void one() {
            first = receive(buffer, 2, Integer.MAX_VALUE);
        }

        @Actor
        public void other() {
            second = receive(buffer, 2, Integer.MAX_VALUE);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            String all = (first + second).replaceAll("[0-9]", "");
            r.r1 = all.chars().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString() + (all.length() == 3 ? "" : " (" + first + " | " + second + ")");
            r.r2 = buffer.used();
        }
    }

    /**
     * A pipeline being stopped drops what is queued ({@link EventBuffer#discard}) while its sender still puts, and
     * while a receiver holds a batch it took and releases only afterwards: every slot is released at the end (the
     * queued events' by the discard, the batch's by the receiver's release, the waiting put's refused), and the
     * receiver got a prefix of the events, each once.
     */
    @JCStressTest
    @Outcome(id = { "a0, 0", "a0b1, 0" }, expect = ACCEPTABLE,
            desc = "a prefix taken, each once; the rest dropped or refused; every slot released")
    @Outcome(expect = FORBIDDEN, desc = "an event repeated or out of order, a lost wake-up, or a slot leaked")
    @State
    public static class DiscardWhileSendingAndHolding extends SenderAndReceiver {

        public DiscardWhileSendingAndHolding() {
            super(2);
        }

        @Actor
        public void sender() {
            try {
                buffer.put("a", Instant.EPOCH);
                buffer.put("b", Instant.EPOCH);
                buffer.put("c", Instant.EPOCH);
            }
            catch (IllegalStateException refused) {
                // the buffer was discarded first: refused
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Actor
        public void receiverStopping() {
            TakenEvents batch = new TakenEvents(2);
            StringBuilder taken = new StringBuilder();
            try {
                int count = buffer.take(batch, 0, 2, false, WAIT);
                for (int i = 0; i < count; i++) {
                    taken.append(batch.event(i).data()).append(batch.event(i).sequence());
                }
                buffer.discard();
                buffer.release(count);
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
            received = taken.toString();
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            report(r);
        }
    }
}
