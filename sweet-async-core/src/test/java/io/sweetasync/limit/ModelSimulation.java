package io.sweetasync.limit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A downstream in virtual time driving a {@link Limit} directly, for {@link LatencyModelsTest}: discrete events,
 * one seed, so every run is the same. The downstream has {@code slots} servers behind a FIFO queue (latency is
 * the service time while at most {@code slots} are inside, and grows with the queue beyond), then a return
 * {@code delay} that takes time but no capacity. Service times come from a {@link Service}. A caller timeout
 * makes a late request a dropped sample (its permit freed at the timeout, the downstream still working on it);
 * an error share makes some requests fail whatever the load. Load is saturated (every free permit taken at
 * once), open (Poisson arrivals, a client queue) or closed (clients that think, then send). The clock the limit
 * sees may be coarse ({@link #resolution}). Parameters may change between {@link #run}s (phases). Not
 * thread-safe.
 */
final class ModelSimulation {

    /** Solo service time of one request, in nanoseconds. */
    @FunctionalInterface
    interface Service {
        long next(SplittableRandom random);

        /** Log-normal with mean {@code mean} and log standard deviation {@code sigma}. */
        static Service lognormal(Duration mean, double sigma) {
            double mu = Math.log(mean.toNanos()) - sigma * sigma / 2;
            return random -> (long) Math.exp(mu + sigma * gaussian(random));
        }

        /** This, but a share {@code p} of requests take {@code factor} times longer. */
        default Service tail(double p, double factor) {
            return random -> (long) (next(random) * (random.nextDouble() < p ? factor : 1));
        }

        /** {@code fast} with probability {@code p}, else {@code slow}. */
        static Service bimodal(double p, Service fast, Service slow) {
            return random -> random.nextDouble() < p ? fast.next(random) : slow.next(random);
        }

        default Service times(double factor) {
            return random -> (long) (next(random) * factor);
        }
    }

    /** What offers work. */
    enum LoadKind { SATURATED, OPEN, CLOSED }

    /** Figures of one run (a phase). */
    record Phase(double seconds, long completed, long dropped, long rejected, int[] limits, long[] rtts,
            double baseNanos) {

        double goodput() {
            return (completed - dropped) / seconds;
        }

        /** Mean limit over the last 40% of the phase. */
        double steadyLimit() {
            return Arrays.stream(limits, limits.length * 3 / 5, limits.length).average().orElse(0);
        }

        /** Coefficient of variation of the limit over the last 40% of the phase. */
        double oscillation() {
            double mean = steadyLimit();
            double sq = Arrays.stream(limits, limits.length * 3 / 5, limits.length)
                    .mapToDouble(l -> (l - mean) * (l - mean)).average().orElse(0);
            return mean == 0 ? 0 : Math.sqrt(sq) / mean;
        }

        int minLimit() {
            return Arrays.stream(limits).min().orElse(0);
        }

        int maxLimit() {
            return Arrays.stream(limits).max().orElse(0);
        }

        /** Seconds until the limit entered {@code [lo, hi]} for good; {@code NaN} when it ends outside. */
        double settle(double lo, double hi) {
            int i = limits.length;
            while (i > 0 && limits[i - 1] >= lo && limits[i - 1] <= hi) {
                i--;
            }
            return i == limits.length ? Double.NaN : seconds * i / limits.length;
        }

        /** Share of the phase with the limit in {@code [lo, hi]}. */
        double band(double lo, double hi) {
            return (double) Arrays.stream(limits).filter(l -> l >= lo && l <= hi).count() / limits.length;
        }

        /** Latency percentile of completed requests over the base (solo) latency. */
        double inflation(double q) {
            return rtts.length == 0 ? Double.NaN : rtts[(int) Math.min(rtts.length - 1, q * rtts.length)] / baseNanos;
        }
    }

    private static final int TICKS = 400;
    private static final int CLIENT_QUEUE = 1000;
    private static final long SHED_NANOS = 1_000_000;

    private final Limit limit;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final ArrayDeque<Request> downstreamQueue = new ArrayDeque<>();
    private final ArrayDeque<Request> clientQueue = new ArrayDeque<>();
    private long now;
    private long seq;
    private int inflight;
    private int busy;

    private Service service = Service.lognormal(Duration.ofMillis(10), 0.3);
    private int slots = 100;
    private long delay;
    private long timeout = Long.MAX_VALUE;
    private double errorShare;
    private int shedAbove = Integer.MAX_VALUE;
    private long resolution = 1;
    private LoadKind load = LoadKind.SATURATED;
    private double arrivalsPerSecond;
    private long thinkNanos;
    private int clients;
    private boolean started;

    private long completed;
    private long dropped;
    private long rejected;
    private long[] rtts = new long[1024];
    private int rttCount;

    ModelSimulation(Limit limit, long seed) {
        this.limit = limit;
        this.random = new SplittableRandom(seed);
    }

    ModelSimulation(LimitAlgorithm algorithm, int initial, int max, long seed) {
        this(Limit.of(LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(initial, 1, max)), seed);
    }

    Limit limit() {
        return limit;
    }

    ModelSimulation service(Service value) {
        service = value;
        return this;
    }

    ModelSimulation slots(int value) {
        slots = value;
        return this;
    }

    ModelSimulation delay(Duration value) {
        delay = value.toNanos();
        return this;
    }

    ModelSimulation timeout(Duration value) {
        timeout = value.toNanos();
        return this;
    }

    ModelSimulation errors(double share) {
        errorShare = share;
        return this;
    }

    /** Requests that arrive with {@code count} or more inside fail at once (1 ms, a 503): load shedding. */
    ModelSimulation shedAbove(int count) {
        shedAbove = count;
        return this;
    }

    /** The clock the limit sees ticks every {@code nanos}: shorter work often measures 0 ns. */
    ModelSimulation resolution(long nanos) {
        resolution = nanos;
        return this;
    }

    ModelSimulation saturated() {
        load = LoadKind.SATURATED;
        return this;
    }

    /** Poisson arrivals; a client queue of {@value #CLIENT_QUEUE}, beyond which arrivals are rejected. */
    ModelSimulation open(double perSecond) {
        boolean wasOpen = load == LoadKind.OPEN && started;
        load = LoadKind.OPEN;
        arrivalsPerSecond = perSecond;
        if (!wasOpen && started) {
            schedule(now, Kind.ARRIVAL, null);
        }
        return this;
    }

    /** {@code count} clients, each thinking (exponential, mean {@code think}) between its requests. */
    ModelSimulation closed(int count, Duration think) {
        load = LoadKind.CLOSED;
        clients = count;
        thinkNanos = think.toNanos();
        return this;
    }

    /** Runs for {@code length} of virtual time with the solo latency {@code baseNanos} for the figures. */
    Phase run(Duration length, double baseNanos) {
        long end = now + length.toNanos();
        long tick = Math.max(1, length.toNanos() / TICKS);
        int[] limits = new int[TICKS];
        long completedBefore = completed;
        long droppedBefore = dropped;
        long rejectedBefore = rejected;
        rttCount = 0;
        if (!started) {
            started = true;
            switch (load) {
                case OPEN -> schedule(now, Kind.ARRIVAL, null);
                case CLOSED -> {
                    for (int i = 0; i < clients; i++) {
                        schedule(now + exponential(thinkNanos), Kind.THINK, null);
                    }
                }
                case SATURATED -> { }
            }
        }
        admit();
        startQueued();
        for (int t = 0; t < TICKS; t++) {
            long until = now + tick;
            while (!events.isEmpty() && events.peek().time <= until) {
                Event e = events.poll();
                now = e.time;
                handle(e);
            }
            now = until;
            limits[t] = limit.limit();
        }
        now = end;
        long[] sorted = Arrays.copyOf(rtts, rttCount);
        Arrays.sort(sorted);
        return new Phase(length.toNanos() / 1e9, completed - completedBefore, dropped - droppedBefore,
                rejected - rejectedBefore, limits, sorted, baseNanos);
    }

    private enum Kind { ARRIVAL, THINK, SERVED, RETURNED, TIMEOUT }

    private static final class Request {
        long admitted;
        int inflightAtStart;
        boolean done;
        boolean fails;
    }

    private final class Event implements Comparable<Event> {
        final long time;
        final long order = seq++;
        final Kind kind;
        final Request request;

        Event(long time, Kind kind, Request request) {
            this.time = time;
            this.kind = kind;
            this.request = request;
        }

        @Override
        public int compareTo(Event other) {
            return time != other.time ? Long.compare(time, other.time) : Long.compare(order, other.order);
        }
    }

    private void schedule(long time, Kind kind, Request request) {
        events.add(new Event(time, kind, request));
    }

    private void handle(Event e) {
        switch (e.kind) {
            case ARRIVAL -> {
                if (load == LoadKind.OPEN) {
                    offer();
                    schedule(now + Math.max(1, exponential((long) (1e9 / arrivalsPerSecond))), Kind.ARRIVAL, null);
                }
            }
            case THINK -> offer();
            case SERVED -> {
                busy--;
                startQueued();
                schedule(now + delay, Kind.RETURNED, e.request);
            }
            case RETURNED -> finish(e.request, e.request.fails);
            case TIMEOUT -> finish(e.request, true);
            default -> throw new IllegalStateException(e.kind.name());
        }
    }

    private void offer() {
        if (clientQueue.size() >= CLIENT_QUEUE) {
            rejected++;
            if (load == LoadKind.CLOSED) {
                schedule(now + exponential(thinkNanos), Kind.THINK, null);
            }
            return;
        }
        clientQueue.add(new Request());
        admit();
    }

    private void admit() {
        while (inflight < limit.limit()) {
            Request r;
            if (load == LoadKind.SATURATED) {
                r = new Request();
            }
            else if (clientQueue.isEmpty()) {
                return;
            }
            else {
                r = clientQueue.poll();
            }
            inflight++;
            r.admitted = now;
            r.inflightAtStart = inflight;
            r.fails = random.nextDouble() < errorShare;
            if (busy + downstreamQueue.size() >= shedAbove) {
                r.fails = true;
                schedule(now + SHED_NANOS, Kind.RETURNED, r);
                continue;
            }
            downstreamQueue.add(r);
            if (timeout != Long.MAX_VALUE) {
                schedule(now + timeout, Kind.TIMEOUT, r);
            }
        }
        startQueued();
    }

    private void startQueued() {
        while (busy < slots && !downstreamQueue.isEmpty()) {
            Request r = downstreamQueue.poll();
            busy++;
            schedule(now + service.next(random), Kind.SERVED, r);
        }
    }

    private void finish(Request r, boolean drop) {
        if (r.done) {
            return;
        }
        r.done = true;
        inflight--;
        completed++;
        dropped += drop ? 1 : 0;
        long rtt = now - r.admitted;
        if (rttCount == rtts.length) {
            rtts = Arrays.copyOf(rtts, rttCount * 2);
        }
        rtts[rttCount++] = rtt;
        long seenStart = Math.floorDiv(r.admitted, resolution) * resolution;
        long seenEnd = Math.floorDiv(now, resolution) * resolution;
        limit.onSample(seenStart, seenEnd - seenStart, r.inflightAtStart, drop);
        if (load == LoadKind.CLOSED) {
            schedule(now + exponential(thinkNanos), Kind.THINK, null);
        }
        admit();
    }

    private long exponential(long mean) {
        return (long) (-Math.log(1 - random.nextDouble()) * mean);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** A limit that is always what {@code ideal} says: the oracle. */
    static Limit oracle(LongSupplier ideal) {
        return new Limit() {
            @Override
            public int limit() {
                return (int) ideal.getAsLong();
            }

            @Override
            public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
            }
        };
    }
}
