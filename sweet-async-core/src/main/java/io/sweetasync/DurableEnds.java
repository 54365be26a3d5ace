package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The ends of durable tasks: what the store's writer writes back when a durable task finished here (its status,
 * its result encoded, its failure), whether a run stopped by this process's shutdown is left pending instead, and
 * an ended invocation's result read back from the store ({@code storedResult}).
 *
 * <h2>Threads</h2>
 * {@link #end} runs on the store's writer thread ({@link StoreWriter}), after the task's terminal status was set, so
 * it reads the final result; the codec is user code there and what it throws costs that one result only.
 * {@link #storedResult} runs on the caller's thread and reads the store. Nothing here is mutable.
 */
final class DurableEnds {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName()); // the name users configure

    private final TaskOrchestrator orchestrator;
    private final Durables durables;
    private final DurableCodec codec;
    /** The largest encoded result stored, in characters ({@link StoreSettings#maxResultSize()}). */
    private final int maxResultSize;

    DurableEnds(TaskOrchestrator orchestrator, Durables durables, DurableCodec codec, int maxResultSize) {
        this.orchestrator = orchestrator;
        this.durables = durables;
        this.codec = codec;
        this.maxResultSize = maxResultSize;
    }

    /**
     * Whether a finished durable task's run was stopped by this process's own shutdown, not by anyone's
     * choice (a user's cancel just before the shutdown is a choice: the task ends {@code CANCELLED} for good): it stays pending, handed over ({@code TaskStore.releaseDurables}) to another member or the next
     * start, which runs it again without counting a lost run.
     */
    boolean released(TaskNode<?> node) {
        // Or a re-run this member rejected before it ran (its group's or runtime's queue full, its wait for a permit
        // too long): nobody waits for it here to hear so, and a dead member's invocations claimed together, on top
        // of this member's own work, could overflow a queue their first member had room for. Ended REJECTED for good,
        // the invocation never ran: it stays pending and is handed over, to be claimed and run at a later look.
        // Such a bounce ends CANCELLED here (TaskEnding#bounced: no failure to announce), as does one refused by this
        // member's shutdown (made once it stopped accepting, a closed runtime or clock), handed over as well.
        return node.cancelledByShutdown() || node.bounced();
    }

    /**
     * A finished durable task's end and result, for the sync thread to write after its record; null if
     * it is to stay pending ({@link #released}), or if its outcome is not yet set (written at the next flush).
     */
    io.sweetasync.spi.TaskStore.DurableEnd end(TaskNode<?> node) {
        StoreSync sync = orchestrator.parts().storeSync();
        if (released(node)) {
            return null;
        }
        TaskResult<?> result = node.resultNow0();
        if (result == null) {
            // Its terminal status is published a moment before its outcome (its fallback runs in between): not
            // ended yet as far as its end goes, written at the next flush, as a released one is.
            return null;
        }
        String encoded = null;
        String failure = null;
        switch (result) {
            case TaskResult.Ok<?> ok -> {
                try {
                    encoded = ok.value() == null ? null : codec.encode(ok.value());
                    String unstorable = StorableText.why(encoded);
                    if (unstorable != null) {
                        LOG.log(Level.WARNING, "the result of durable task {0}, as the codec {1} encoded it, has {2}, "
                                + "which a store does not keep as it is; not stored", node.label(),
                                codec.getClass().getName(), unstorable);
                        encoded = null;
                    }
                    if (encoded != null && encoded.length() > maxResultSize) {
                        LOG.log(Level.WARNING, "the result of durable task {0} is {1} characters, over the {2} kept; "
                                + "not stored", node.label(), encoded.length(), maxResultSize);
                        encoded = null;
                    }
                }
                catch (Throwable ex) {
                    // The codec is user code on the store's thread: whatever it throws (an Error from a getter, say, or
                    // a checked exception its language does not declare, as Jackson's from Kotlin) costs this result
                    // only, never the ends of other tasks or the renewal of the lease.
                    LOG.log(Level.WARNING, "the result of durable task " + node.label() + " cannot be encoded; not stored",
                            ex);
                }
            }
            case TaskResult.Err<?> err -> failure = err.error().getMessage();
        }
        return new io.sweetasync.spi.TaskStore.DurableEnd(node.id(), sync.incarnation(), node.status().name(), encoded,
                failure);
    }

    /**
     * The stored result of {@code id} as a {@code type}; a result that is not one (read as another type than its
     * handler's) is refused naming the task, the handler and the type (the codec's own words, which may quote the
     * value, only in the cause).
     */
    private <T> T decoded(TaskId id, DurableRecord record, Class<T> type) {
        DurableCodec codec = durables.codec(); // none: its own error, not this one's
        try {
            return codec.decode(record.result(), type);
        }
        catch (Exception ex) { // the user's codec: a checked exception its language does not declare too
            throw new IllegalArgumentException("the stored result of durable task " + id + " (handler '"
                    + record.handler() + "') cannot be read as a " + type.getName() + " ("
                    + ex.getClass().getSimpleName() + "): read it as the type its handler returns", ex);
        }
    }

    /** A durable task's result by id, decoded as {@code type}; empty while it has not ended or if unknown. */
    <T> Optional<TaskResult<T>> storedResult(TaskId id, Class<T> type) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Optional<DurableRecord> found = durables.sync().store().durable(id);
        if (found.isEmpty() || found.get().status().equals("PENDING")) {
            return Optional.empty();
        }
        DurableRecord record = found.get();
        TaskInfo info = orchestrator.find(id).orElseGet(() -> StoredTasks.info(new io.sweetasync.spi.TaskRecord(
                id.value(), 0, id.value(), record.handler(), record.status(), TaskPriority.NORMAL.name(), null, "virtual",
                Map.of(), record.createdAt(), 0, 0, record.attempts(), null, record.failure(), 0, 0, -1, -1, -1, -1, "UUUU",
                "", id.incarnation(), true)));
        TaskStatus status = TaskStatus.valueOf(record.status());
        if (status == TaskStatus.COMPLETED) {
            return Optional.of(TaskResult.ok(record.result() == null ? null : decoded(id, record, type)));
        }
        // The task's record says what ended it (its error's type and own message); the durable record keeps the whole
        // message of the task's exception, whose "task x#1-9 failed after 1 attempt: " a new exception would repeat
        TaskInfo.Failure failure = info.failure();
        String reason = failure != null ? failure.message() : String.valueOf(record.failure());
        java.time.Duration timeout = DurableSettings.timeoutIn(record.settings());
        AsyncTaskException error = switch (status) {
            case CANCELLED -> new TaskCancelledException(info, reason);
            // Its stored message names the timeout it ran under; the stored settings name one only if the builder
            // gave it (not the running member's defaultTimeout, which read "timed out after PT0S")
            case TIMED_OUT -> record.failure() != null ? new TaskTimeoutException(info, record.failure())
                    : new TaskTimeoutException(info, timeout != null ? timeout : java.time.Duration.ZERO);
            // The cause carries the stored type and message; the whole message as its run ended, where kept, else
            // one made over the cause read "failed: IllegalStateException: IOException: ..." (a type never thrown)
            default -> {
                IllegalStateException cause = new IllegalStateException(
                        failure != null ? failure.type() + ": " + failure.message() : reason);
                yield record.failure() != null ? new TaskFailedException(info, record.failure(), cause)
                        : new TaskFailedException(info, cause);
            }
        };
        return Optional.of(TaskResult.err(error));
    }
}
