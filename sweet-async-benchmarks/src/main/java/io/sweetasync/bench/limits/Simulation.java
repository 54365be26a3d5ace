package io.sweetasync.bench.limits;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Discrete-event simulation in virtual time: open-loop Poisson arrivals, a client-side limiter (a
 * limit from the model under test, a FIFO wait queue bounded in size and wait), and a downstream with
 * N parallel slots and its own unbounded FIFO queue. Arrival times and each request's service time
 * come from the scenario's seed, so every contender faces exactly the same requests.
 *
 * <p>A request whose round trip (admission to completion) exceeds the client timeout is a drop: it
 * gives the limit a dropped sample and does not count as goodput.
 */
final class Simulation {

    static final int QUEUE_CAPACITY = 20;
    static final long MAX_WAIT_NANOS = 100_000_000L;
    static final double TIMEOUT_MEDIANS = 10;

    private static final int ARRIVAL = 0;
    private static final int COMPLETION = 1;
    private static final int EXPIRY = 2;
    private static final int CAPACITY = 3;

    private static final byte WAITING = 1;
    private static final byte ADMITTED = 2;
    private static final byte REJECTED = 3;
    private static final byte DONE = 4;

    private record Event(long time, long seq, int type, int id) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            return time != other.time ? Long.compare(time, other.time) : Long.compare(seq, other.seq);
        }
    }

    /** What one run measured. */
    record Result(double goodput, double p50Millis, double p99Millis, double rejectionRate, double[] settleSeconds,
            int finalLimit) {

        double meanSettle() {
            return Arrays.stream(settleSeconds).average().orElse(0);
        }
    }

    private final Scenario scenario;
    private final LimitModel limit;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long seq;
    private long now;

    private long[] arrivedAt = new long[1 << 16];
    private long[] admittedAt = new long[1 << 16];
    private long[] serviceNanos = new long[1 << 16];
    private int[] inflightAtAdmit = new int[1 << 16];
    private byte[] state = new byte[1 << 16];
    private int requests;

    private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
    private int waitingCount;
    private int inflight;
    private final ArrayDeque<Integer> downstreamQueue = new ArrayDeque<>();
    private int busy;
    private int slots;

    private long good;
    private long rejected;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    /** Limit trace: times and values at each change. */
    private long[] traceTimes = new long[1024];
    private int[] traceLimits = new int[1024];
    private int traceCount;

    private Simulation(Scenario scenario, LimitModel limit) {
        this.scenario = scenario;
        this.limit = limit;
    }

    static Result run(Scenario scenario, LimitModel limit) {
        return new Simulation(scenario, limit).run();
    }

    private Result run() {
        SplittableRandom arrivals = new SplittableRandom(scenario.seed());
        SplittableRandom services = new SplittableRandom(scenario.seed() * 31 + 7);
        long end = (long) (scenario.durationSeconds() * 1e9);
        long phase = (long) (scenario.phaseSeconds() * 1e9);
        long timeout = (long) (TIMEOUT_MEDIANS * scenario.medianServiceSeconds() * 1e9);
        slots = scenario.slots()[0];
        for (int i = 1; i < scenario.slots().length; i++) {
            schedule(i * phase, CAPACITY, scenario.slots()[i]);
        }
        schedule(nextArrival(arrivals, 0), ARRIVAL, 0);
        trace();
        while (!events.isEmpty()) {
            Event event = events.poll();
            now = event.time();
            switch (event.type()) {
                case ARRIVAL -> {
                    if (now >= end) {
                        continue;
                    }
                    int id = newRequest(services);
                    arrive(id);
                    schedule(nextArrival(arrivals, now), ARRIVAL, 0);
                }
                case COMPLETION -> complete(event.id(), timeout);
                case EXPIRY -> expire(event.id());
                case CAPACITY -> {
                    slots = event.id();
                    startWhileFree();
                }
                default -> throw new IllegalStateException("event " + event);
            }
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        double[] settle = settleTimes(phase, end);
        return new Result(good / scenario.durationSeconds(), percentile(sorted, 0.50) / 1e6,
                percentile(sorted, 0.99) / 1e6, requests == 0 ? 0 : (double) rejected / requests, settle, limit.limit());
    }

    private long nextArrival(SplittableRandom random, long from) {
        return from + (long) (-Math.log(1 - random.nextDouble()) / scenario.arrivalRate() * 1e9);
    }

    private int newRequest(SplittableRandom services) {
        int id = requests++;
        if (id == state.length) {
            int size = state.length * 2;
            arrivedAt = Arrays.copyOf(arrivedAt, size);
            admittedAt = Arrays.copyOf(admittedAt, size);
            serviceNanos = Arrays.copyOf(serviceNanos, size);
            inflightAtAdmit = Arrays.copyOf(inflightAtAdmit, size);
            state = Arrays.copyOf(state, size);
        }
        arrivedAt[id] = now;
        serviceNanos[id] = scenario.serviceNanos(services);
        return id;
    }

    private void arrive(int id) {
        if (waitingCount == 0 && inflight < limit.limit()) {
            admit(id);
        }
        else if (waitingCount < QUEUE_CAPACITY) {
            state[id] = WAITING;
            waiting.add(id);
            waitingCount++;
            schedule(now + MAX_WAIT_NANOS, EXPIRY, id);
        }
        else {
            state[id] = REJECTED;
            rejected++;
        }
    }

    private void admit(int id) {
        state[id] = ADMITTED;
        admittedAt[id] = now;
        inflight++;
        inflightAtAdmit[id] = inflight;
        if (busy < slots) {
            busy++;
            schedule(now + serviceNanos[id], COMPLETION, id);
        }
        else {
            downstreamQueue.add(id);
        }
    }

    private void startWhileFree() {
        while (busy < slots && !downstreamQueue.isEmpty()) {
            int next = downstreamQueue.poll();
            busy++;
            schedule(now + serviceNanos[next], COMPLETION, next);
        }
    }

    private void complete(int id, long timeout) {
        busy--;
        startWhileFree();
        inflight--;
        state[id] = DONE;
        long rtt = now - admittedAt[id];
        boolean dropped = rtt > timeout;
        if (!dropped) {
            good++;
        }
        record(now - arrivedAt[id]);
        int before = limit.limit();
        limit.onSample(admittedAt[id], rtt, inflightAtAdmit[id], dropped);
        if (limit.limit() != before) {
            trace();
        }
        while (waitingCount > 0 && inflight < limit.limit()) {
            int next = waiting.poll();
            if (state[next] == WAITING) {
                waitingCount--;
                admit(next);
            }
        }
    }

    private void expire(int id) {
        if (state[id] == WAITING) {
            state[id] = REJECTED;
            waitingCount--;
            rejected++;
            waiting.remove(id);
        }
    }

    private void record(long latency) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = latency;
    }

    private void trace() {
        if (traceCount == traceTimes.length) {
            traceTimes = Arrays.copyOf(traceTimes, traceCount * 2);
            traceLimits = Arrays.copyOf(traceLimits, traceCount * 2);
        }
        traceTimes[traceCount] = now;
        traceLimits[traceCount++] = limit.limit();
    }

    /**
     * Per phase: how long after the phase began the limit's 1-second moving average (sampled every
     * 100 ms) last lay outside 20% of the phase's ideal limit (its slot count); the whole phase if it
     * ends outside. The average keeps deliberate one-window probes from counting as unsettled; it is
     * applied to every contender alike.
     */
    private double[] settleTimes(long phase, long end) {
        long step = 100_000_000L;
        int span = 10;
        int phases = scenario.slots().length;
        double[] settle = new double[phases];
        for (int p = 0; p < phases; p++) {
            long from = p * phase;
            long to = Math.min(end, from + phase);
            int ideal = scenario.slots()[p];
            double[] window = new double[span];
            int filled = 0;
            long lastOutside = -1;
            for (long t = from; t < to; t += step) {
                window[filled % span] = limitAt(t);
                filled++;
                double sum = 0;
                int n = Math.min(filled, span);
                for (int i = 0; i < n; i++) {
                    sum += window[i];
                }
                double average = sum / n;
                if (average < 0.8 * ideal || average > 1.2 * ideal) {
                    lastOutside = t;
                }
            }
            settle[p] = lastOutside < 0 ? 0 : Math.min(to, lastOutside + step - from) / 1e9;
        }
        return settle;
    }

    private int limitAt(long time) {
        int value = traceLimits[0];
        for (int i = 0; i < traceCount && traceTimes[i] <= time; i++) {
            value = traceLimits[i];
        }
        return value;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    private void schedule(long time, int type, int id) {
        events.add(new Event(time, seq++, type, id));
    }
}
