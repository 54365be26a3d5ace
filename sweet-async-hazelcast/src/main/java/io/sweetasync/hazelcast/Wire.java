package io.sweetasync.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.sweetasync.ResourceValue;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How invocations and outcomes cross between members: field by field on Hazelcast's data streams, the
 * argument and value through Hazelcast's own serialization of their type. Not Java serialization of the
 * records, which wrote their class descriptors with every message and cost more than the rest of a
 * placement's bytes.
 */
final class Wire {

    private static final TaskPriority[] PRIORITIES = TaskPriority.values();
    private static final TaskStatus[] STATUSES = TaskStatus.values();
    private static final ResourceValue.Source[] SOURCES = ResourceValue.Source.values();

    private Wire() {
    }

    static void writeInvocation(ObjectDataOutput out, RemoteInvocation invocation) throws IOException {
        out.writeString(invocation.handler());
        out.writeObject(invocation.argument());
        out.writeString(invocation.name());
        out.writeString(invocation.group());
        out.writeByte(invocation.priority().ordinal());
        out.writeInt(invocation.tags().size());
        for (Map.Entry<String, String> tag : invocation.tags().entrySet()) {
            out.writeString(tag.getKey());
            out.writeString(tag.getValue());
        }
        out.writeString(invocation.origin());
    }

    static RemoteInvocation readInvocation(ObjectDataInput in) throws IOException {
        String handler = in.readString();
        Object argument = in.readObject();
        String name = in.readString();
        String group = in.readString();
        TaskPriority priority = PRIORITIES[in.readByte()];
        int size = in.readInt();
        Map<String, String> tags = size == 0 ? Map.of() : new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            tags.put(in.readString(), in.readString());
        }
        return new RemoteInvocation(handler, argument, name, group, priority, tags, in.readString());
    }

    /** Everything of {@code outcome} but its value. */
    static void writeOutcome(ObjectDataOutput out, RemoteOutcome outcome) throws IOException {
        out.writeString(outcome.member());
        out.writeString(outcome.taskId());
        out.writeByte(outcome.status().ordinal());
        out.writeString(outcome.failureType());
        out.writeString(outcome.failureMessage());
        out.writeBoolean(outcome.lost());
        TaskMetrics metrics = outcome.metrics();
        out.writeBoolean(metrics != null);
        if (metrics != null) {
            out.writeLong(metrics.queueWait().toNanos());
            out.writeLong(metrics.runTime().toNanos());
            writeFigure(out, metrics.cpuTimeNanos());
            writeFigure(out, metrics.allocatedBytes());
            writeFigure(out, metrics.bytesRead());
            writeFigure(out, metrics.bytesWritten());
        }
    }

    private static void writeFigure(ObjectDataOutput out, ResourceValue figure) throws IOException {
        out.writeByte(figure.source().ordinal());
        out.writeLong(figure.amount());
    }

    private static ResourceValue readFigure(ObjectDataInput in) throws IOException {
        ResourceValue.Source source = SOURCES[in.readByte()];
        return new ResourceValue(in.readLong(), source);
    }

    /** An outcome with its value, the value last, so that one that cannot be read leaves the rest readable. */
    static void writeEnded(ObjectDataOutput out, RemoteOutcome outcome) throws IOException {
        writeOutcome(out, outcome);
        out.writeObject(outcome.value());
    }

    /**
     * An outcome written by {@link #writeEnded}. A value that cannot be read here (its class is missing or
     * differs, its {@code readObject} throws) turns it into a {@code FAILED} outcome saying so: thrown from
     * here, the message carrying it would never run, and whoever waits for it would wait on.
     */
    static RemoteOutcome readEnded(ObjectDataInput in) throws IOException {
        RemoteOutcome ended = readOutcome(in, null);
        try {
            Object value = in.readObject();
            return withReadableValue(ended, value);
        }
        catch (IOException | RuntimeException ex) {
            return RemoteOutcome.of(ended.member(), ended.taskId(), TaskStatus.FAILED, null,
                    ex.getClass().getSimpleName(), "it completed, but its value could not be read here: " + ex.getMessage())
                    .withMetrics(ended.metrics());
        }
    }

    /**
     * {@code ended} with {@code value}, or a {@code FAILED} outcome saying why it cannot be used here: Hazelcast reads
     * a value whose class this member cannot load (a class of the other member only, a lambda) as a
     * {@code GenericRecord}, which completed the handle with an object of another type than its own (a
     * {@code ClassCastException} later, in the caller's code).
     */
    static RemoteOutcome withReadableValue(RemoteOutcome ended, Object value) {
        if (value instanceof com.hazelcast.nio.serialization.genericrecord.GenericRecord record) {
            String shown = String.valueOf(record);
            return RemoteOutcome.of(ended.member(), ended.taskId(), TaskStatus.FAILED, null, "ClassNotFoundException",
                    "it completed, but its value could not be read here: its class is not on this member's class path "
                            + "(Hazelcast read it as a GenericRecord: " + (shown.length() > 200 ? shown.substring(0, 200)
                                    + "..." : shown) + ")").withMetrics(ended.metrics());
        }
        return ended.withValue(value);
    }

    /** An outcome written by {@link #writeOutcome}, with {@code value}. */
    static RemoteOutcome readOutcome(ObjectDataInput in, Object value) throws IOException {
        String member = in.readString();
        String taskId = in.readString();
        TaskStatus status = STATUSES[in.readByte()];
        String failureType = in.readString();
        String failureMessage = in.readString();
        boolean lost = in.readBoolean();
        TaskMetrics metrics = null;
        if (in.readBoolean()) {
            Duration queueWait = Duration.ofNanos(in.readLong());
            Duration runTime = Duration.ofNanos(in.readLong());
            metrics = new TaskMetrics(queueWait, runTime, readFigure(in), readFigure(in), readFigure(in), readFigure(in));
        }
        return new RemoteOutcome(member, taskId, status, value, failureType, failureMessage, lost, metrics);
    }
}
