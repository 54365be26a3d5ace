package io.sweetasync;

import io.sweetasync.SliceTimeline.Slice;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Attributes JDK Flight Recorder events to tasks through an in-process {@link RecordingStream}: CPU-time
 * samples ({@code jdk.CPUTimeSample}, JDK 25+ on Linux), TLAB refills and outside-TLAB allocations, and
 * socket and file reads and writes. Each attempt is a slice in the {@link SliceLedger}; an event belongs
 * to the innermost slice of its thread that contains its start time, and adds to that task's
 * {@link SampledFigures}.
 *
 * <p><b>Settling.</b> The JVM hands events to the stream in a flush about once a second and reports each
 * flush with a {@code jdk.Flush} event carrying its start time F. An event committed before F is in that
 * flush or an earlier one; a task's thread commits its allocation and IO events before its slice ends,
 * and the sampler commits a CPU sample shortly after the time it carries. So once the stream delivers
 * the {@code jdk.Flush} of F, every slice that ended before F − {@link #GRACE} has all its events: it is
 * settled, and its task's figures are final once all its slices are.
 *
 * <p><b>Clocks.</b> Slices are timed with {@link System#nanoTime()}, and JFR's times are mapped onto it by
 * {@link JfrClock}: JFR's instants follow its own monotonic ticks, not the wall clock, which NTP may slew or
 * step while a task runs (the two part by milliseconds a second under a fast slew, and events fell outside
 * their own task's slice). Until the first clock mark arrives, with the stream's first flush, events are kept
 * ({@link #EARLY_MAX} at most; more are doubted) and nothing is settled.
 *
 * <p><b>Virtual threads.</b> JFR names a virtual thread to the stream in a thread checkpoint that HotSpot
 * writes lazily into a buffer, and a flush writes those buffers out only if some other checkpoint was
 * written since the previous flush (JDK 21 to 25). Without one, a new virtual thread's events arrive
 * with no thread ({@code RecordedEvent.getThread()} is null) and cannot be attributed: the sampled zeros
 * on virtual threads. Starting a platform thread writes such a checkpoint, so after every flush (once a
 * virtual thread has opened a slice) the stream thread starts an empty platform thread.
 *
 * <p><b>Doubt.</b> An event whose thread still cannot be named, and lost data ({@code jdk.DataLoss}, for
 * the time since the previous flush), cast {@link Doubts doubt} on every unsettled slice they overlap;
 * doubted figures end {@code UNAVAILABLE}. So do all pending figures when the stream stops, or when it
 * falls {@link SliceLedger#STALL} behind. (CPU samples the sampler lost, {@code jdk.CPUTimeSamplesLost},
 * still count, as doubtful grains: see {@link SampledFigures}.)
 *
 * <p>Event handlers run on the stream's thread, which alone touches {@code doubts}, {@code clock},
 * {@code early}, {@code previousFlush} and {@code cpuSampleValue}.
 */
final class ResourceAttribution implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ResourceAttribution.class.getName());
    /** CPU time each CPU sample stands for. */
    static final Duration CPU_PERIOD = Duration.ofMillis(10);
    /** How long after the time it carries a CPU sample may still be committed. */
    static final Duration GRACE = Duration.ofMillis(100);
    /** Settled slices are kept this long after they end, to recognise (and count) late events. */
    private static final Duration LATE_WINDOW = Duration.ofSeconds(2);
    private static final Runnable NOTHING = () -> {
    };
    /** The thread id of an event whose thread JFR did not name ({@code getJavaThreadId()} is -1 for a VM thread). */
    private static final long UNNAMED = Long.MIN_VALUE;
    private static final long NONE = Long.MIN_VALUE;
    /** Events kept until the first clock mark arrives (about a second of events), at most. */
    static final int EARLY_MAX = 100_000;

    private final RecordingStream stream;
    private final boolean cpuSampled;
    private final FigureUpdates updates;
    private final SliceLedger ledger;
    private final Doubts doubts = new Doubts();
    private final JfrClock clock = new JfrClock();
    /** The previous flush's start, on the slices' clock. */
    private long previousFlush = SliceTimeline.now();
    /**
     * Events that arrived before the first clock mark: {@link #EARLY_MAX} at most, the others doubted; null once
     * they are placed (its array, grown in the first second, is not kept for the orchestrator's life).
     */
    private ArrayDeque<Early> early = new ArrayDeque<>();
    /** JFR's times of the first and last event dropped from {@code early} ({@link #NONE}: none). */
    private long earlyDroppedFrom = NONE;
    private long earlyDroppedTo = NONE;
    /**
     * What a CPU sample stands for lately, which lost samples are valued at: about {@link #CPU_PERIOD} as this stream
     * asks, less while another recording in the process asks for faster sampling (JFR runs one sampler, at the
     * fastest rate asked for), more while timers overrun.
     */
    private final CpuSampleValue cpuSampleValue = new CpuSampleValue(CPU_PERIOD.toNanos());
    private volatile boolean virtualSeen;
    private volatile boolean checkpointFailureLogged;
    private final LongAdder lateEvents = new LongAdder();
    private final LongAdder unresolvedEvents = new LongAdder();

    /** A stream not yet subscribed to nor started: {@link #start} does both (tests feed events themselves). */
    ResourceAttribution(RecordingStream stream, boolean cpuSampled, FigureUpdates updates) {
        this.stream = stream;
        this.cpuSampled = cpuSampled;
        this.updates = updates;
        this.ledger = new SliceLedger(updates);
    }

    /**
     * Starts the stream, or returns null (logging why) where JFR cannot attribute. {@code updates}
     * receives finished tasks whose figures became final, and announces them off the stream thread.
     */
    static ResourceAttribution start(FigureUpdates updates) {
        try {
            if (!FlightRecorder.isAvailable()) {
                LOG.log(Level.INFO, "JDK Flight Recorder is not available: sampled task resources will be UNAVAILABLE");
                return null;
            }
            Set<String> types = FlightRecorder.getFlightRecorder().getEventTypes().stream().map(EventType::getName)
                    .collect(Collectors.toSet());
            if (!types.contains("jdk.Flush")) {
                LOG.log(Level.INFO, "this JVM's Flight Recorder reports no flushes (jdk.Flush): sampled task "
                        + "resources will be UNAVAILABLE");
                return null;
            }
            boolean cpu = types.contains("jdk.CPUTimeSample")
                    && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
            if (!cpu) {
                LOG.log(Level.INFO, "no CPU-time sampler (jdk.CPUTimeSample needs JDK 25+ on Linux): CPU of tasks "
                        + "on virtual threads will be UNAVAILABLE");
            }
            RecordingStream stream = new RecordingStream();
            ResourceAttribution attribution = new ResourceAttribution(stream, cpu, updates);
            attribution.subscribe();
            stream.startAsync();
            JfrClock.mark(); // the first: until it arrives, events are kept (see JfrClock)
            return attribution;
        }
        catch (RuntimeException | LinkageError ex) {
            LOG.log(Level.WARNING, "could not start JDK Flight Recorder: sampled task resources will be UNAVAILABLE", ex);
            return null;
        }
    }

    private void subscribe() {
        if (cpuSampled) {
            stream.enable("jdk.CPUTimeSample").with("throttle", CPU_PERIOD.toMillis() + "ms").withoutStackTrace();
            stream.enable("jdk.CPUTimeSamplesLost");
            stream.onEvent("jdk.CPUTimeSample",
                    event -> take(Kind.CPU_SAMPLE, event, event.getDuration("samplingPeriod").toNanos()));
            stream.onEvent("jdk.CPUTimeSamplesLost", this::onCpuSamplesLost);
        }
        // TLAB refills and outside-TLAB allocations account for (nearly) every byte, at TLAB granularity.
        stream.enable("jdk.ObjectAllocationInNewTLAB").withoutStackTrace();
        stream.enable("jdk.ObjectAllocationOutsideTLAB").withoutStackTrace();
        stream.onEvent("jdk.ObjectAllocationInNewTLAB", event -> take(Kind.TLAB, event, event.getLong("tlabSize")));
        stream.onEvent("jdk.ObjectAllocationOutsideTLAB",
                event -> take(Kind.OUTSIDE_TLAB, event, event.getLong("allocationSize")));
        for (String io : new String[] { "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileRead", "jdk.FileWrite" }) {
            stream.enable(io).withThreshold(Duration.ZERO).withoutStackTrace();
        }
        stream.onEvent("jdk.SocketRead", event -> onIo(event, "bytesRead", Kind.READ));
        stream.onEvent("jdk.FileRead", event -> onIo(event, "bytesRead", Kind.READ));
        stream.onEvent("jdk.SocketWrite", event -> onIo(event, "bytesWritten", Kind.WRITTEN));
        stream.onEvent("jdk.FileWrite", event -> onIo(event, "bytesWritten", Kind.WRITTEN));
        stream.enable("jdk.Flush").withThreshold(Duration.ZERO);
        stream.enable("jdk.DataLoss");
        stream.onEvent("jdk.Flush", this::onFlush);
        stream.onEvent("jdk.DataLoss", this::onDataLoss);
        stream.enable(JfrClock.Mark.class);
        stream.onEvent(JfrClock.MARK, this::onMark);
        stream.onError(error -> {
            LOG.log(Level.WARNING, "the JDK Flight Recorder stream failed: sampled task resources will be UNAVAILABLE", error);
            ledger.stop();
        });
        stream.onClose(ledger::stop);
        stream.setReuse(true);
        stream.setOrdered(false);
    }

    /** Whether CPU is sampled (else CPU figures of unmeasured tasks are unavailable). */
    boolean cpuSampled() {
        return cpuSampled;
    }

    /**
     * Opens a slice for {@code node} on the current thread, whose counters measured the attempt's CPU and
     * allocation from its start or not; see {@link ResourceMeter}.
     */
    Slice open(TaskNode<?> node, boolean cpuMeasured, boolean allocationMeasured) {
        if (!virtualSeen && Thread.currentThread().isVirtual()) {
            virtualSeen = true;
            writeVirtualThreadCheckpoints();
        }
        return ledger.open(node.sampledFigures(cpuSampled), cpuMeasured, allocationMeasured);
    }

    // ---- the stream thread ----------------------------------------------------------------------

    private void onFlush(RecordedEvent event) {
        JfrClock.mark(); // it arrives with the next flush
        if (virtualSeen) {
            writeVirtualThreadCheckpoints();
        }
        if (!clock.calibrated()) {
            return; // the first mark is still on its way: events cannot be placed yet, nor slices settled
        }
        long flushStart = clock.nanoTime(event.getStartTime());
        ledger.settle(flushStart - GRACE.toNanos(), doubts.drain(), flushStart - LATE_WINDOW.toNanos());
        previousFlush = flushStart;
    }

    private void onDataLoss(RecordedEvent event) {
        long at = clock.calibrated() ? clock.nanoTime(event.getStartTime()) : SliceTimeline.now();
        doubts.add(previousFlush, at, SampledFigures.allResources());
    }

    private void onMark(RecordedEvent event) {
        onMark(SliceTimeline.nanos(event.getStartTime()), SliceTimeline.nanos(event.getEndTime()),
                event.getLong("nanoTime"));
    }

    /**
     * A clock mark arrived (see {@link JfrClock#onMark(long, long, long)}): the events kept until the first are
     * placed now.
     */
    void onMark(long start, long end, long nanoTime) {
        clock.onMark(start, end, nanoTime);
        if (early == null) {
            return;
        }
        for (Early kept : early) {
            attribute(kept.kind(), kept.thread(), kept.time(), kept.amount());
        }
        early = null;
        if (earlyDroppedFrom != NONE) {
            doubts.add(clock.nanoTime(earlyDroppedFrom), clock.nanoTime(earlyDroppedTo), SampledFigures.allResources());
        }
    }

    /** Makes the next flush write the thread checkpoints of virtual threads (see the class comment). */
    private void writeVirtualThreadCheckpoints() {
        try {
            Thread.ofPlatform().daemon().name("sweet-async-jfr-checkpoint").start(NOTHING);
        }
        catch (RuntimeException | Error ex) {
            if (!checkpointFailureLogged) {
                checkpointFailureLogged = true;
                LOG.log(Level.WARNING, "could not start a thread to make JFR name virtual threads; their events may "
                        + "go unattributed (and their figures UNAVAILABLE)", ex);
            }
        }
    }

    /** What an event adds to the figures of the slice it belongs to. */
    enum Kind {
        CPU_SAMPLE(TaskFigures.Resource.CPU), CPU_SAMPLES_LOST(TaskFigures.Resource.CPU),
        TLAB(TaskFigures.Resource.ALLOCATED), OUTSIDE_TLAB(TaskFigures.Resource.ALLOCATED),
        READ(TaskFigures.Resource.READ), WRITTEN(TaskFigures.Resource.WRITTEN);

        final TaskFigures.Resource resource;

        Kind(TaskFigures.Resource resource) {
            this.resource = resource;
        }
    }

    /** An event that arrived before the clock could place it: its thread ({@link #UNNAMED}), JFR time, amount. */
    private record Early(Kind kind, long thread, long time, long amount) {
    }

    /** Attributes {@code event} now, or keeps it until the first clock mark arrives (the stream's first flush). */
    private void take(Kind kind, RecordedEvent event, long amount) {
        RecordedThread thread = event.getThread();
        take(kind, thread == null ? UNNAMED : thread.getJavaThreadId(), SliceTimeline.nanos(event.getStartTime()),
                amount);
    }

    /** As {@link #take(Kind, RecordedEvent, long)}, of an event of thread {@code id} at JFR's {@code time}. */
    void take(Kind kind, long id, long time, long amount) {
        if (clock.calibrated()) {
            attribute(kind, id, time, amount);
        }
        else if (id != UNNAMED && !ledger.keeps(id)) {
            return; // no slice of its thread (settling, which prunes, waits for the clock): no task's event
        }
        else if (early.size() < EARLY_MAX) {
            early.add(new Early(kind, id, time, amount));
        }
        else { // doubted once the clock can say when that was
            earlyDroppedFrom = earlyDroppedFrom == NONE ? time : Math.min(earlyDroppedFrom, time);
            earlyDroppedTo = Math.max(earlyDroppedTo, time);
        }
    }

    /**
     * Adds an event of thread {@code thread} at {@code jfrTime} (JFR's, in epoch nanoseconds) to the innermost
     * slice of that thread containing it; an event whose thread JFR did not name casts doubt on its time, and
     * one for a settled slice is late (and counted only).
     */
    private void attribute(Kind kind, long thread, long jfrTime, long amount) {
        if (kind == Kind.CPU_SAMPLE && amount > 0) {
            cpuSampleValue.sampled(amount); // of any thread's sample
        }
        long time = clock.nanoTime(jfrTime);
        if (thread == UNNAMED) {
            unresolvedEvents.increment();
            doubts.add(time, time, 1 << kind.resource.ordinal());
            return;
        }
        Slice slice = ledger.find(thread, time);
        if (slice == null) {
            return;
        }
        if (slice.settled) {
            lateEvents.increment();
            return;
        }
        switch (kind) {
            case CPU_SAMPLE -> slice.figures.addCpuSample(amount, slice.withhold(kind.resource, amount));
            case CPU_SAMPLES_LOST -> {
                long each = cpuSampleValue.nanos();
                slice.figures.addLostCpuSamples((int) amount, each, slice.withhold(kind.resource, amount * each));
            }
            case TLAB -> slice.figures.addTlab(amount, slice.withhold(kind.resource, amount));
            case OUTSIDE_TLAB -> slice.figures.add(kind.resource, amount, slice.withhold(kind.resource, amount));
            case READ, WRITTEN -> slice.figures.add(kind.resource, amount);
        }
    }

    /**
     * The sampler could not take some samples (the thread was in the VM, or its queue was full) but
     * counted them; it reports the count later, with the thread running then: usually the same task, but
     * a virtual thread may be handed what an earlier one on the same carrier lost.
     */
    private void onCpuSamplesLost(RecordedEvent event) {
        int lost = event.getInt("lostSamples");
        if (lost > 0) {
            take(Kind.CPU_SAMPLES_LOST, event, lost);
        }
    }

    private void onIo(RecordedEvent event, String field, Kind kind) {
        long bytes = event.getLong(field);
        if (bytes > 0) {
            take(kind, event, bytes);
        }
    }

    /** The slices events are attributed to; for tests. */
    SliceLedger ledger() {
        return ledger;
    }

    /** Events that arrived for slices already settled (their figures did not change). */
    long lateEvents() {
        return lateEvents.sum();
    }

    /** Events whose thread JFR could not name. */
    long unresolvedEvents() {
        return unresolvedEvents.sum();
    }

    @Override
    public void close() {
        stream.close();
        ledger.stop();
    }
}
