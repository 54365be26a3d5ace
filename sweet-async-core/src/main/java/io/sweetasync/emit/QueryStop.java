package io.sweetasync.emit;

import io.sweetasync.TaskContext;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops the query of a {@link Sources#query} sender when its pipeline stops (cancelled, timed out, stopped on its
 * first error) while the sender's thread is inside the driver, where the stop's interrupt does not reach: a classic
 * socket read waiting for rows is deaf to it, and the query would hold its connection and its thread until the
 * database answers. A virtual thread watches the sender's task while the query runs: once a stop is requested it
 * cancels the statement ({@link Statement#cancel()}, which the JDBC drivers answer from another thread), and if the
 * query still has not returned {@link #ABORT_AFTER} later (the database out of reach: the cancel could not get
 * there either), aborts the connection ({@link Connection#abort}), which the sender's blocked read then fails on.
 *
 * <p>Threads: {@link #close()} (the sender's thread, once the query is done) ends the watch; the watcher reads the
 * task's stop through its {@link TaskContext}, which is safe from any thread. Outside a task nothing is watched.
 */
final class QueryStop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Sources.class.getName());
    /** How often the watcher looks at the task's stop. */
    private static final long LOOK_MILLIS = 50;
    /** How long a cancelled statement may take to return before its connection is aborted. */
    static final Duration ABORT_AFTER = Duration.ofSeconds(5);

    /** Counted down by {@link #close()} under this object's monitor, where the cancel and the abort read it. */
    private final CountDownLatch done = new CountDownLatch(1);
    private final Connection connection;
    private final Statement statement;

    private QueryStop(Connection connection, Statement statement) {
        this.connection = connection;
        this.statement = statement;
    }

    /** Watches the calling task (if any) while {@code statement} on {@code connection} runs; close when it is done. */
    static QueryStop watch(Connection connection, Statement statement) {
        QueryStop stop = new QueryStop(connection, statement);
        TaskContext task = TaskContext.current().orElse(null);
        if (task == null) {
            stop.done.countDown();
        }
        else {
            Thread.ofVirtual().name("sweet-async-query-stop").start(() -> stop.watch(task));
        }
        return stop;
    }

    private void watch(TaskContext task) {
        try {
            while (!done.await(LOOK_MILLIS, TimeUnit.MILLISECONDS)) {
                if (task.isCancellationRequested()) {
                    stop();
                    return;
                }
            }
        }
        catch (InterruptedException ex) {
            // nobody interrupts this thread: it ends
        }
    }

    private void stop() throws InterruptedException {
        synchronized (this) {
            if (isDone()) {
                return; // done meanwhile: its statement may be closed, or a pool's to hand out again
            }
            try {
                statement.cancel();
            }
            catch (Exception | LinkageError ex) { // the driver's: a checked exception undeclared too (see the abort below)
                LOG.log(Level.DEBUG, "could not cancel the query of a stopped pipeline", ex);
            }
        }
        if (done.await(ABORT_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
        }
        synchronized (this) {
            if (isDone()) {
                return; // returned at that very moment: its connection goes back to its pool, not aborted
            }
            try {
                connection.abort(command -> Thread.ofVirtual().name("sweet-async-query-abort").start(command));
                LOG.log(Level.WARNING, "the query of a stopped pipeline did not return within {0} of its cancel: its "
                        + "connection was aborted", ABORT_AFTER);
            }
            catch (Exception | LinkageError ex) { // the driver's: a checked exception undeclared too
                LOG.log(Level.WARNING, "the query of a stopped pipeline did not return within " + ABORT_AFTER + " of "
                        + "its cancel, and its connection could not be aborted: its sender waits for the database", ex);
            }
        }
    }

    /**
     * The query is done: the watch ends. Once this returns no abort can come (one under way is waited for), so the
     * sender may close the connection, or its pool hand it to someone else.
     */
    @Override
    public synchronized void close() {
        done.countDown();
    }

    private boolean isDone() {
        return done.getCount() == 0;
    }
}
