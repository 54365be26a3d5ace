package io.sweetasync.hazelcast;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.RemoteOutcome;
import java.io.IOException;

/**
 * The answer to {@link StartPlaced}: the id of the task started there and, when it ended before the
 * answer left, its outcome, so that a short task costs one round trip and no second message; or that the
 * member turned it away, starting nothing (it no longer takes that handler's work).
 *
 * <p>The outcome's value is serialized when the answer is made, on the member that ran the task, into
 * Hazelcast's own form of it: a value that cannot be serialized turns into a {@code FAILED} outcome saying
 * so there, instead of an answer Hazelcast could not send. The placing member turns it back into an
 * object ({@link #outcome}).
 */
final class Started implements DataSerializable {

    private String taskId;
    /** Without its value; null while the task runs. */
    private RemoteOutcome ended;
    /** The value, in Hazelcast's serialized form; null for none. */
    private byte[] value;
    /** Why the member turned the task away without starting it; null if it started it. */
    private String refused;
    /** Whether the task's body had begun when the answer was made (else a {@link PlacedStarted} follows when it does). */
    private boolean bodyBegun;

    /** For Hazelcast's deserialization. */
    Started() {
    }

    private Started(String taskId, RemoteOutcome ended, byte[] value) {
        this.taskId = taskId;
        this.ended = ended;
        this.value = value;
    }

    /**
     * The task still runs: its outcome follows in a {@link PlacedEnded}; if its body has not {@code begun}, a
     * {@link PlacedStarted} follows when it does.
     */
    static Started running(String taskId, boolean begun) {
        Started started = new Started(taskId, null, null);
        started.bodyBegun = begun;
        return started;
    }

    /** The member did not start the task, for {@code why}: nothing ran there. */
    static Started refused(String why) {
        Started started = new Started(null, null, null);
        started.refused = why;
        return started;
    }

    /** The task has ended with {@code outcome}. */
    static Started ended(RemoteOutcome outcome, SerializationService serialization) {
        if (outcome.value() == null) {
            return new Started(outcome.taskId(), outcome, null);
        }
        try {
            Data data = serialization.toData(outcome.value());
            return new Started(outcome.taskId(), outcome.withValue(null), data.toByteArray());
        }
        catch (RuntimeException ex) {
            return new Started(outcome.taskId(), RemoteOutcome.of(outcome.member(), outcome.taskId(), TaskStatus.FAILED,
                    null, ex.getClass().getSimpleName(),
                    "it completed, but its value could not be sent back: " + ex.getMessage())
                    .withMetrics(outcome.metrics()), null);
        }
    }

    String taskId() {
        return taskId;
    }

    boolean hasEnded() {
        return ended != null;
    }

    /** Whether the task's body had begun there when the answer was made (true for an ended task). */
    boolean bodyBegun() {
        return bodyBegun || ended != null;
    }

    /** Why the member turned the task away, or null if it started it. */
    String refused() {
        return refused;
    }

    /** The outcome, its value deserialized with {@code serialization}; only if {@link #hasEnded()}. */
    RemoteOutcome outcome(SerializationService serialization) {
        if (value == null) {
            return ended;
        }
        Object object = serialization.toObject(new HeapData(value));
        return Wire.withReadableValue(ended, object);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(taskId);
        out.writeString(refused);
        out.writeBoolean(bodyBegun);
        out.writeBoolean(ended != null);
        if (ended != null) {
            Wire.writeOutcome(out, ended);
            out.writeByteArray(value);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        taskId = in.readString();
        refused = in.readString();
        bodyBegun = in.readBoolean();
        if (in.readBoolean()) {
            ended = Wire.readOutcome(in, null);
            value = in.readByteArray();
        }
    }
}
