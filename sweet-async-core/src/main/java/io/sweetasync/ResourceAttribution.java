package io.sweetasync;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Attributes JDK Flight Recorder events to tasks: execution samples (CPU), TLAB refills and
 * outside-TLAB allocations (heap), and socket and file reads and writes (IO), through an in-process
 * {@link RecordingStream}.
 *
 * <p>Each attempt records a <em>slice</em>: the thread it ran on, when it started and ended. An event
 * belongs to the innermost slice of its thread that contains its start time. Events arrive in batches
 * about once a second, so sampled figures lag the work by that much; slices are kept for
 * {@link #RETENTION} after they end, then dropped.
 *
 * <p>Thread-safety: slices of one thread are guarded by their deque; the map and the expiry queue are
 * concurrent. Event handlers run on the stream's own thread.
 */
final class ResourceAttribution implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ResourceAttribution.class.getName());
    static final Duration SAMPLE_PERIOD = Duration.ofMillis(10);
    private static final Duration RETENTION = Duration.ofSeconds(30);

    /** One attempt on one thread. {@code end} is null while it runs. */
    static final class Slice {
        final TaskNode<?> node;
        final Instant start;
        volatile Instant end;

        Slice(TaskNode<?> node, Instant start) {
            this.node = node;
            this.start = start;
        }
    }

    private record Expiry(long threadId, Instant after) {
    }

    private final Map<Long, ArrayDeque<Slice>> slices = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Expiry> expiries = new ConcurrentLinkedQueue<>();
    private final RecordingStream stream;

    private ResourceAttribution(RecordingStream stream) {
        this.stream = stream;
    }

    /** Starts the stream, or returns null (logging why) where JFR is not available. */
    static ResourceAttribution start() {
        try {
            if (!jdk.jfr.FlightRecorder.isAvailable()) {
                LOG.log(Level.INFO, "JDK Flight Recorder is not available: sampled task resources will be UNAVAILABLE");
                return null;
            }
            RecordingStream stream = new RecordingStream();
            ResourceAttribution attribution = new ResourceAttribution(stream);
            stream.enable("jdk.ExecutionSample").withPeriod(SAMPLE_PERIOD);
            // TLAB refills and outside-TLAB allocations account for (nearly) every byte, at TLAB
            // granularity; the throttled ObjectAllocationSample weights proved far too noisy per task.
            stream.enable("jdk.ObjectAllocationInNewTLAB").withoutStackTrace();
            stream.enable("jdk.ObjectAllocationOutsideTLAB").withoutStackTrace();
            for (String io : new String[] { "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileRead", "jdk.FileWrite" }) {
                stream.enable(io).withThreshold(Duration.ZERO).withoutStackTrace();
            }
            stream.onEvent("jdk.ExecutionSample", attribution::onExecutionSample);
            stream.onEvent("jdk.ObjectAllocationInNewTLAB", event -> attribution.onAllocation(event, "tlabSize"));
            stream.onEvent("jdk.ObjectAllocationOutsideTLAB", event -> attribution.onAllocation(event, "allocationSize"));
            stream.onEvent("jdk.SocketRead", event -> attribution.onIo(event, "bytesRead", true));
            stream.onEvent("jdk.FileRead", event -> attribution.onIo(event, "bytesRead", true));
            stream.onEvent("jdk.SocketWrite", event -> attribution.onIo(event, "bytesWritten", false));
            stream.onEvent("jdk.FileWrite", event -> attribution.onIo(event, "bytesWritten", false));
            stream.setReuse(true);
            stream.setOrdered(false);
            stream.startAsync();
            return attribution;
        }
        catch (RuntimeException | LinkageError ex) {
            LOG.log(Level.WARNING, "could not start JDK Flight Recorder: sampled task resources will be UNAVAILABLE", ex);
            return null;
        }
    }

    /** Opens a slice for {@code node} on the current thread. */
    Slice open(TaskNode<?> node) {
        Instant now = Instant.now();
        expire(now);
        Slice slice = new Slice(node, now);
        ArrayDeque<Slice> mine = slices.computeIfAbsent(Thread.currentThread().threadId(), id -> new ArrayDeque<>());
        synchronized (mine) {
            mine.addLast(slice);
        }
        return slice;
    }

    void close(Slice slice) {
        Instant now = Instant.now();
        slice.end = now;
        expiries.add(new Expiry(Thread.currentThread().threadId(), now.plus(RETENTION)));
    }

    /** Drops slices that ended long enough ago that no event for them can still arrive. */
    private void expire(Instant now) {
        Expiry due;
        while ((due = expiries.peek()) != null && due.after().isBefore(now) && expiries.remove(due)) {
            ArrayDeque<Slice> theirs = slices.get(due.threadId());
            if (theirs == null) {
                continue;
            }
            synchronized (theirs) {
                Instant cutoff = now.minus(RETENTION);
                theirs.removeIf(slice -> slice.end != null && slice.end.isBefore(cutoff));
                if (theirs.isEmpty()) {
                    slices.remove(due.threadId(), theirs);
                }
            }
        }
    }

    private TaskNode<?> owner(RecordedThread thread, Instant at) {
        if (thread == null) {
            return null;
        }
        ArrayDeque<Slice> theirs = slices.get(thread.getJavaThreadId());
        if (theirs == null) {
            return null;
        }
        synchronized (theirs) {
            for (Iterator<Slice> it = theirs.descendingIterator(); it.hasNext();) {
                Slice slice = it.next();
                Instant end = slice.end;
                if (!at.isBefore(slice.start) && (end == null || !at.isAfter(end))) {
                    return slice.node;
                }
            }
        }
        return null;
    }

    private void onExecutionSample(RecordedEvent event) {
        TaskNode<?> node = owner(event.getThread("sampledThread"), event.getStartTime());
        if (node != null) {
            node.addSampled(TaskNode.Resource.CPU, SAMPLE_PERIOD.toNanos());
        }
    }

    private void onAllocation(RecordedEvent event, String field) {
        TaskNode<?> node = owner(event.getThread(), event.getStartTime());
        if (node != null) {
            node.addSampled(TaskNode.Resource.ALLOCATED, event.getLong(field));
        }
    }

    private void onIo(RecordedEvent event, String field, boolean read) {
        long bytes = event.getLong(field);
        if (bytes <= 0) {
            return;
        }
        TaskNode<?> node = owner(event.getThread(), event.getStartTime());
        if (node != null) {
            node.addSampled(read ? TaskNode.Resource.READ : TaskNode.Resource.WRITTEN, bytes);
        }
    }

    @Override
    public void close() {
        stream.close();
    }
}
