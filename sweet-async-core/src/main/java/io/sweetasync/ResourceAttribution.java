package io.sweetasync;

import io.sweetasync.SliceTimeline.Slice;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
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
 * <p>Event handlers run on the stream's thread, which alone touches {@code doubts} and
 * {@code previousFlush}.
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

    private final RecordingStream stream;
    private final boolean cpuSampled;
    private final FigureUpdates updates;
    private final SliceLedger ledger;
    private final Doubts doubts = new Doubts();
    private Instant previousFlush = Instant.now();
    private volatile boolean virtualSeen;
    private volatile boolean checkpointFailureLogged;
    private final LongAdder lateEvents = new LongAdder();
    private final LongAdder unresolvedEvents = new LongAdder();

    private ResourceAttribution(RecordingStream stream, boolean cpuSampled, FigureUpdates updates) {
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
            stream.onEvent("jdk.CPUTimeSample", this::onCpuSample);
            stream.onEvent("jdk.CPUTimeSamplesLost", this::onCpuSamplesLost);
        }
        // TLAB refills and outside-TLAB allocations account for (nearly) every byte, at TLAB granularity.
        stream.enable("jdk.ObjectAllocationInNewTLAB").withoutStackTrace();
        stream.enable("jdk.ObjectAllocationOutsideTLAB").withoutStackTrace();
        stream.onEvent("jdk.ObjectAllocationInNewTLAB", event -> onAllocation(event, "tlabSize", true));
        stream.onEvent("jdk.ObjectAllocationOutsideTLAB", event -> onAllocation(event, "allocationSize", false));
        for (String io : new String[] { "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileRead", "jdk.FileWrite" }) {
            stream.enable(io).withThreshold(Duration.ZERO).withoutStackTrace();
        }
        stream.onEvent("jdk.SocketRead", event -> onIo(event, "bytesRead", TaskFigures.Resource.READ));
        stream.onEvent("jdk.FileRead", event -> onIo(event, "bytesRead", TaskFigures.Resource.READ));
        stream.onEvent("jdk.SocketWrite", event -> onIo(event, "bytesWritten", TaskFigures.Resource.WRITTEN));
        stream.onEvent("jdk.FileWrite", event -> onIo(event, "bytesWritten", TaskFigures.Resource.WRITTEN));
        stream.enable("jdk.Flush").withThreshold(Duration.ZERO);
        stream.enable("jdk.DataLoss");
        stream.onEvent("jdk.Flush", this::onFlush);
        stream.onEvent("jdk.DataLoss", event -> doubts.add(previousFlush, event.getStartTime(), SampledFigures.allResources()));
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
        Instant flushStart = event.getStartTime();
        if (virtualSeen) {
            writeVirtualThreadCheckpoints();
        }
        ledger.settle(flushStart.minus(GRACE), doubts.drain(), flushStart.minus(LATE_WINDOW));
        previousFlush = flushStart;
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

    /** The slice {@code event} belongs to, or null: none, or its thread unknown (doubted), or settled (late). */
    private Slice owner(RecordedThread thread, Instant at, TaskFigures.Resource resource) {
        if (thread == null) {
            unresolvedEvents.increment();
            doubts.add(at, at, 1 << resource.ordinal());
            return null;
        }
        Slice slice = ledger.find(thread.getJavaThreadId(), at);
        if (slice != null && slice.settled) {
            lateEvents.increment();
            return null;
        }
        return slice;
    }

    private void onCpuSample(RecordedEvent event) {
        Slice slice = owner(event.getThread(), event.getStartTime(), TaskFigures.Resource.CPU);
        if (slice != null) {
            slice.figures.addCpuSample(event.getDuration("samplingPeriod").toNanos(), slice.cpuMeasured);
        }
    }

    /**
     * The sampler could not take some samples (the thread was in the VM, or its queue was full) but
     * counted them; it reports the count later, with the thread running then: usually the same task, but
     * a virtual thread may be handed what an earlier one on the same carrier lost.
     */
    private void onCpuSamplesLost(RecordedEvent event) {
        int lost = event.getInt("lostSamples");
        Slice slice = owner(event.getThread(), event.getStartTime(), TaskFigures.Resource.CPU);
        if (slice != null && lost > 0) {
            slice.figures.addLostCpuSamples(lost, CPU_PERIOD.toNanos(), slice.cpuMeasured);
        }
    }

    private void onAllocation(RecordedEvent event, String field, boolean tlab) {
        Slice slice = owner(event.getThread(), event.getStartTime(), TaskFigures.Resource.ALLOCATED);
        if (slice == null) {
            return;
        }
        boolean measured = slice.allocationMeasured;
        if (tlab) {
            slice.figures.addTlab(event.getLong(field), measured);
        }
        else {
            slice.figures.add(TaskFigures.Resource.ALLOCATED, event.getLong(field), measured);
        }
    }

    private void onIo(RecordedEvent event, String field, TaskFigures.Resource resource) {
        long bytes = event.getLong(field);
        if (bytes > 0) {
            Slice slice = owner(event.getThread(), event.getStartTime(), resource);
            if (slice != null) {
                slice.figures.add(resource, bytes);
            }
        }
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
