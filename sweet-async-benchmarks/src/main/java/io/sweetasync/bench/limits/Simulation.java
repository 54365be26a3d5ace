package io.sweetasync.bench.limits;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Discrete-event simulation in virtual time of a caller, its client-side limiter and one downstream.
 * The limiter admits up to the limit of the model under test and keeps a FIFO wait queue of
 * {@value #QUEUE_CAPACITY}, each waiting at most 100 ms, else rejected. Every request's service time
 * comes from the scenario's seed in arrival order, so with open-loop load every contender faces exactly
 * the same requests (a closed population sends its next request when the previous one ends, so there
 * the timing depends on the contender, the draws do not).
 *
 * <p>A request whose round trip (admission to response) exceeds the caller's timeout is a drop: the
 * limit gets a dropped sample and it is not goodput. With {@link Scenario#abandon()} the caller gives
 * up at the timeout (dropped sample, permit freed) while the downstream keeps working on it.
 */
final class Simulation {

    static final int QUEUE_CAPACITY = 20;
    static final long MAX_WAIT_NANOS = 100_000_000L;
    static final long TICK_NANOS = 100_000_000L;

    private static final int ARRIVAL = 0;
    private static final int THINK = 1;
    private static final int EXPIRY = 2;
    private static final int TIMEOUT = 3;
    private static final int DOWNSTREAM = 4;
    private static final int TICK = 5;

    private static final byte WAITING = 1;
    private static final byte ADMITTED = 2;
    private static final byte REJECTED = 3;
    private static final byte DONE = 4;
    private static final byte ABANDONED = 5;

    private record Event(long time, long seq, int type, int id, long tag) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            return time != other.time ? Long.compare(time, other.time) : Long.compare(seq, other.seq);
        }
    }

    private final Scenario scenario;
    private final LimitModel limit;
    private final Downstream downstream;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final SplittableRandom arrivals;
    private final SplittableRandom services;
    private final long end;
    private final long timeout;
    private long seq;
    private long now;

    private long[] arrivedAt = new long[1 << 16];
    private long[] admittedAt = new long[1 << 16];
    private long[] work = new long[1 << 16];
    private int[] inflightAtAdmit = new int[1 << 16];
    private int[] client = new int[1 << 16];
    private byte[] state = new byte[1 << 16];
    private int requests;

    private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
    private int inflight;

    private long good;
    private long rejected;
    private long rejectedAtTick;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private final LimitTrace trace;

    private Simulation(Scenario scenario, LimitModel limit) {
        this.scenario = scenario;
        this.limit = limit;
        this.arrivals = new SplittableRandom(scenario.seed());
        this.services = new SplittableRandom(scenario.seed() * 31 + 7);
        this.end = (long) (scenario.durationSeconds() * 1e9);
        this.timeout = (long) (scenario.timeoutSeconds() * 1e9);
        this.trace = new LimitTrace((int) (end / TICK_NANOS) + 1);
        this.downstream = scenario.downstream().apply(new Downstream.Host() {
            @Override
            public long now() {
                return now;
            }

            @Override
            public void schedule(long time, int id, long tag) {
                Simulation.this.schedule(time, DOWNSTREAM, id, tag);
            }

            @Override
            public void left(int id) {
                Simulation.this.left(id);
            }
        });
    }

    static Result run(Scenario scenario, LimitModel limit) {
        return new Simulation(scenario, limit).run();
    }

    private Result run() {
        switch (scenario.load()) {
            case Load.Open open -> schedule(nextGap(open.perSecond()), ARRIVAL, 0, 0);
            case Load.Closed closed -> {
                for (int c = 0; c < closed.clients(); c++) {
                    schedule(nextGap(1 / closed.thinkSeconds()), THINK, c, 0);
                }
            }
        }
        schedule(0, TICK, 0, 0);
        while (!events.isEmpty()) {
            Event event = events.poll();
            now = event.time();
            switch (event.type()) {
                case ARRIVAL -> {
                    if (now < end) {
                        arrive(newRequest(-1));
                        schedule(now + nextGap(((Load.Open) scenario.load()).perSecond()), ARRIVAL, 0, 0);
                    }
                }
                case THINK -> {
                    if (now < end) {
                        arrive(newRequest(event.id()));
                    }
                }
                case EXPIRY -> expire(event.id());
                case TIMEOUT -> timedOut(event.id());
                case DOWNSTREAM -> downstream.onEvent(event.id(), event.tag());
                case TICK -> tick();
                default -> throw new IllegalStateException("event " + event);
            }
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        double seconds = scenario.durationSeconds();
        return new Result(good / seconds, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                requests == 0 ? 0 : (double) rejected / requests,
                trace.settleSeconds(scenario.phases(), scenario.phaseSeconds(), scenario.settles()),
                trace.bandFraction(), trace.stuckSeconds(), limit.limit(), limit.baselineMillis(), trace.idealMax());
    }

    private long nextGap(double perSecond) {
        return (long) (-Math.log(1 - arrivals.nextDouble()) / perSecond * 1e9);
    }

    private void tick() {
        if (now > end) {
            return;
        }
        downstream.retune(now / 1e9);
        boolean demand = !waiting.isEmpty() || rejected > rejectedAtTick;
        rejectedAtTick = rejected;
        trace.tick(limit.limit(), downstream.idealLimit(),
                limit.limit() <= LimitModel.MIN && demand && downstream.hasSpare());
        schedule(now + TICK_NANOS, TICK, 0, 0);
    }

    private int newRequest(int owner) {
        int id = requests++;
        if (id == state.length) {
            int size = state.length * 2;
            arrivedAt = Arrays.copyOf(arrivedAt, size);
            admittedAt = Arrays.copyOf(admittedAt, size);
            work = Arrays.copyOf(work, size);
            inflightAtAdmit = Arrays.copyOf(inflightAtAdmit, size);
            client = Arrays.copyOf(client, size);
            state = Arrays.copyOf(state, size);
        }
        arrivedAt[id] = now;
        work[id] = scenario.work().nanos(services);
        client[id] = owner;
        return id;
    }

    private void arrive(int id) {
        if (waiting.isEmpty() && inflight < limit.limit()) {
            admit(id);
        }
        else if (waiting.size() < QUEUE_CAPACITY) {
            state[id] = WAITING;
            waiting.add(id);
            schedule(now + MAX_WAIT_NANOS, EXPIRY, id, 0);
        }
        else {
            reject(id);
        }
    }

    private void admit(int id) {
        state[id] = ADMITTED;
        admittedAt[id] = now;
        inflight++;
        inflightAtAdmit[id] = inflight;
        if (scenario.abandon()) {
            schedule(now + timeout, TIMEOUT, id, 0);
        }
        downstream.enter(id, work[id]);
    }

    private void left(int id) {
        if (state[id] == ABANDONED) {
            state[id] = DONE; // the downstream finished work nobody waits for any more
            return;
        }
        finish(id, now - admittedAt[id] > timeout);
    }

    private void timedOut(int id) {
        if (state[id] == ADMITTED) {
            finish(id, true);
            state[id] = ABANDONED;
        }
    }

    private void finish(int id, boolean dropped) {
        state[id] = DONE;
        inflight--;
        if (!dropped) {
            good++;
        }
        record(now - arrivedAt[id]);
        limit.onSample(admittedAt[id], now - admittedAt[id], inflightAtAdmit[id], dropped);
        while (!waiting.isEmpty() && inflight < limit.limit()) {
            admit(waiting.poll());
        }
        ended(id);
    }

    private void expire(int id) {
        if (state[id] == WAITING) {
            waiting.remove(id);
            reject(id);
        }
    }

    private void reject(int id) {
        state[id] = REJECTED;
        rejected++;
        ended(id);
    }

    /** A closed population's client thinks, then sends its next request. */
    private void ended(int id) {
        if (scenario.load() instanceof Load.Closed closed && client[id] >= 0) {
            schedule(now + nextGap(1 / closed.thinkSeconds()), THINK, client[id], 0);
        }
    }

    private void record(long latency) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = latency;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    private void schedule(long time, int type, int id, long tag) {
        events.add(new Event(time, seq++, type, id, tag));
    }
}
