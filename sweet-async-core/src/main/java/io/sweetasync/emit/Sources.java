package io.sweetasync.emit;

import io.sweetasync.TaskContext;
import java.io.BufferedReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import javax.sql.DataSource;

/**
 * Ready-made senders for common sources. Each streams: it holds at most a few elements of its own
 * besides the pipeline's buffer, so memory stays bounded however large the source. Sources that cannot
 * be shared between sender workers produce on worker 0 only, so they are safe with any
 * {@link SenderStrategy}.
 *
 * <pre>{@code
 * AsyncTask.emits(String.class)
 *     .sender(Sources.lines(Path.of("orders.csv")))
 *     .receiver(ReceiverStrategy.parallel(4), (event, collector) -> collector.collect(event.sequence(), parse(event.data())))
 *     .awaitFinalEvent();
 * }</pre>
 */
public final class Sources {

    private Sources() {
    }

    /** The lines of a UTF-8 text file, read as they are emitted. */
    public static Sender<String> lines(Path file) {
        return lines(file, StandardCharsets.UTF_8);
    }

    /** The lines of a text file in {@code charset}, read as they are emitted. */
    public static Sender<String> lines(Path file, Charset charset) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(charset, "charset");
        return emitter -> {
            if (emitter.senderIndex() != 0) {
                return;
            }
            try (BufferedReader reader = Files.newBufferedReader(file, charset)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    emitter.emit(line);
                }
            }
        };
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<E> {
        E map(ResultSet row) throws SQLException;
    }

    /**
     * The rows of a query, streamed with a cursor: a forward-only, read-only statement with fetch size
     * {@code fetchSize}, on a connection whose auto-commit is off while it runs (which PostgreSQL needs to
     * stream). Rows are fetched as the buffer drains; the connection is closed when the query is done or
     * the pipeline is cancelled. A stop that finds the sender inside the driver (a fetch waiting for the
     * database, deaf to interrupts) cancels the statement from another thread, and aborts the connection if the
     * query has not returned 5 s after that.
     */
    public static <E> Sender<E> query(DataSource dataSource, String sql, int fetchSize, RowMapper<? extends E> mapper) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(mapper, "mapper");
        if (fetchSize < 1) {
            throw new IllegalArgumentException("fetchSize must be at least 1, was " + fetchSize);
        }
        return emitter -> {
            if (emitter.senderIndex() != 0) {
                return;
            }
            try (Connection connection = dataSource.getConnection()) {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try (PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY)) {
                    statement.setFetchSize(fetchSize);
                    QueryStop watched = QueryStop.watch(connection, statement);
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            emitter.emit(mapper.map(rows));
                        }
                    }
                    finally {
                        watched.close();
                    }
                }
                catch (Throwable first) {
                    // The query's own failure (or the stop's InterruptedException, which a driver may answer by
                    // closing the connection) stays the sender's: a failing rollback is only suppressed by it.
                    try {
                        restore(connection, autoCommit);
                    }
                    catch (Exception restoreFailed) { // the driver's: a checked exception undeclared too
                        first.addSuppressed(restoreFailed);
                    }
                    throw first;
                }
                restore(connection, autoCommit);
            }
        };
    }

    /**
     * The short last list of a chunked source that failed: its elements were accepted (their {@code emit}
     * returned), so they reach the receivers, as the events an unchunked sender emitted before it failed do
     * ({@link Emitter}: no event is accepted and then lost); they were dropped. Not when the pipeline is
     * stopping: then nothing more is emitted, chunked or not. An {@link InterruptedException} of the source's
     * own, while nothing stops the pipeline, is a failure like any other (the sender's error), so the list is
     * emitted then too. A list the pipeline no longer takes is noted on the source's error.
     */
    private static <E> void emitLast(ChunkingEmitter<E> chunks, Emitter<List<E>> emitter, Throwable failed) {
        List<E> last = chunks.close();
        // Outside a task (the sender called directly, with an emitter of the caller's) nothing is stopping.
        if (last.isEmpty() || PipelineWorkers.isStopping(false)) {
            return;
        }
        try {
            emitLastList(emitter, last);
        }
        catch (InterruptedException stopped) {
            failed.addSuppressed(stopped);
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException refused) {
            failed.addSuppressed(refused);
        }
    }

    /**
     * Emits the last list of a chunked source that has returned or failed. Its elements were accepted, so an
     * interrupt flag the source left set while nothing stops the pipeline (its own wait, interrupted, the flag
     * restored as the idiom goes) does not refuse them: it is cleared for the emit and set again after it, for
     * the sender's end to see as a plain sender's (which then completes with every event). A stop's interrupt
     * still refuses them (the engine records a stop before it interrupts).
     */
    private static <E> void emitLastList(Emitter<List<E>> emitter, List<E> last) throws InterruptedException {
        boolean leftover = PipelineWorkers.clearLeftoverInterrupt();
        try {
            emitter.emit(last);
        }
        finally {
            if (leftover) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the read-only transaction of {@link #query} and gives the connection its auto-commit back. */
    private static void restore(Connection connection, boolean autoCommit) throws SQLException {
        connection.rollback();
        connection.setAutoCommit(autoCommit);
    }

    /**
     * Every item of a {@link Flow.Publisher}, requested a few at a time as the pipeline takes them
     * (at most {@code prefetch} outstanding), so a fast publisher is held back by the buffer. An error
     * of the publisher is the sender's error; cancelling the pipeline cancels the subscription. The
     * subscriber keeps the Reactive Streams rules for subscribers (checked with the TCK): a second
     * {@code onSubscribe} is cancelled, a {@code null} argument throws {@link NullPointerException}, and
     * a publisher that sends more than requested fails the source and is cancelled. A synchronous publisher (one
     * that signals inside {@code request}, on the sender's thread) that leaves the thread's interrupt flag set while
     * nothing stops the pipeline loses none of the items it delivered: the flag is set again once the source ends.
     */
    public static <E> Sender<E> publisher(Flow.Publisher<? extends E> publisher, int prefetch) {
        Objects.requireNonNull(publisher, "publisher");
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
        }
        return emitter -> {
            if (emitter.senderIndex() != 0) {
                return;
            }
            PublisherSource<E> source = new PublisherSource<>(prefetch);
            source.subscribeTo(publisher);
            source.drainTo(emitter);
        };
    }

    /** A {@link Flow.Publisher} source with a prefetch of 32. */
    public static <E> Sender<E> publisher(Flow.Publisher<? extends E> publisher) {
        return publisher(publisher, 32);
    }

    /** The elements of {@code source} in lists of {@code size} (the last may be shorter). */
    public static <E> Sender<List<E>> chunked(Iterable<? extends E> source, int size) {
        Objects.requireNonNull(source, "source");
        return chunked((Emitter<E> emitter) -> emitter.emitAll(source), size);
    }

    /**
     * What {@code source} emits, in lists of {@code size} (the last may be shorter): for receivers that
     * work in batches, such as JDBC batch inserts. If the source fails, what it emitted before is still
     * emitted (the last list shorter), then the failure is the sender's error, as for any sender. The emitter
     * the source is given is thread-safe like any other; lists from several threads emitting at once may reach
     * the pipeline in either order. Lists are unmodifiable and may hold {@code null} elements; {@code size} is
     * a bound, not an allocation. Run in a task (a pipeline's sender), the source has returned once the child
     * tasks it started have ended too, as a sender has: elements they emit are chunked, the last list after them.
     * As the pipeline's own emitter does, the source's emitter refuses an element on an interrupted thread
     * ({@link InterruptedException}, nothing accepted); an interrupt flag the source leaves set as it returns or
     * fails, while nothing stops the pipeline, does not refuse the last list, whose elements were accepted.
     */
    public static <E> Sender<List<E>> chunked(Sender<E> source, int size) {
        Objects.requireNonNull(source, "source");
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1, was " + size);
        }
        return emitter -> {
            if (emitter.senderIndex() != 0) {
                return;
            }
            ChunkingEmitter<E> chunks = new ChunkingEmitter<>(emitter, size);
            try {
                source.send(chunks);
                // A source that hands its emitting to child tasks is done when they are, as its sender is (a
                // body's return waits for its children): their elements come before the last list, not after it.
                TaskContext.current().ifPresent(TaskContext::joinChildren);
            }
            catch (Throwable failed) {
                emitLast(chunks, emitter, failed);
                throw failed;
            }
            List<E> last = chunks.close();
            if (!last.isEmpty()) {
                emitLastList(emitter, last);
            }
        };
    }
}
