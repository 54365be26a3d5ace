package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.Sources;
import java.lang.reflect.Proxy;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trial (SPEC 2, sources): sources that fail or break their rules midway. */
class TrialSourcesTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- Flow.Publisher sources that break the rules -------------------------------------------------

    private static Flow.Publisher<Integer> publisher(BiConsumer<Flow.Subscriber<? super Integer>, Flow.Subscription> script) {
        return subscriber -> {
            Flow.Subscription subscription = new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            };
            subscriber.onSubscribe(subscription);
            Thread.ofVirtual().start(() -> script.accept(subscriber, subscription));
        };
    }

    private FinalEvent<Integer, Integer> drain(Flow.Publisher<Integer> source) {
        return orchestrator.emits(Integer.class)
                .sender(Sources.publisher(source))
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
    }

    /** Rule 2.4: after onComplete the subscription is cancelled; items after it are not events. */
    @Test
    void signalsAfterOnCompleteAreIgnored() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch afterwards = new CountDownLatch(1);
            FinalEvent<Integer, Integer> done = drain(publisher((s, sub) -> {
                s.onNext(1);
                s.onComplete();
                s.onNext(2);
                s.onComplete();
                s.onError(new IllegalStateException("after complete"));
                afterwards.countDown();
            }));
            afterwards.await();
            assertThat(done.collected()).containsOnlyKeys(1);
            assertThat(done.emitted()).isEqualTo(1);
            assertThat(done.errors()).isEmpty();
        });
    }

    /** onError then onComplete/onNext: the source ends with that error, what came before it is received. */
    @Test
    void signalsAfterOnErrorAreIgnored() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = drain(publisher((s, sub) -> {
                s.onNext(1);
                s.onError(new IllegalStateException("boom"));
                s.onNext(2);
                s.onComplete();
            }));
            assertThat(done.collected()).containsOnlyKeys(1);
            assertThat(done.errors()).singleElement().extracting(EventError::error)
                    .satisfies(e -> assertThat(e).hasMessage("boom"));
        });
    }

    /** A publisher that calls onNext without ever calling onSubscribe (rule 1.9): the pipeline ends, it does not hang. */
    @Test
    void onNextWithoutOnSubscribeDoesNotHang() {
        assertTimeoutPreemptively(CEILING, () -> {
            Flow.Publisher<Integer> rude = subscriber -> Thread.ofVirtual().start(() -> {
                try {
                    subscriber.onNext(1);
                }
                catch (RuntimeException ignored) {
                    // refused, fine
                }
                try {
                    subscriber.onComplete();
                }
                catch (RuntimeException ignored) {
                    // refused, fine
                }
            });
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .timeout(Duration.ofSeconds(10))
                    .sender(Sources.publisher(rude))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            // Items without a subscription are items beyond any demand (rule 1.1): the source fails, nothing is emitted.
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.emitted()).isZero();
            assertThat(done.errors()).singleElement().extracting(EventError::error).isInstanceOf(IllegalStateException.class);
        });
    }

    /**
     * A publisher still delivering what was requested after the pipeline was cancelled (legal: rule 3.12 lets
     * in-flight items come): every signal returns normally to the publisher's thread (rule 2.13).
     */
    @Test
    void signalsInFlightAfterACancelReturnNormally() {
        assertTimeoutPreemptively(CEILING, () -> {
            java.util.concurrent.atomic.AtomicLong demand = new java.util.concurrent.atomic.AtomicLong();
            AtomicReference<Flow.Subscriber<? super Integer>> target = new AtomicReference<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            Flow.Publisher<Integer> lazy = subscriber -> {
                target.set(subscriber);
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        demand.addAndGet(n);
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscribed.countDown();
            };
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(lazy, 8))
                    .receiver((event, collector) -> { })
                    .run();
            subscribed.await();
            org.awaitility.Awaitility.await().atMost(CEILING).until(() -> demand.get() > 0);
            task.cancel();
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            List<Throwable> thrown = new ArrayList<>();
            for (int i = 0; i < demand.get(); i++) {
                try {
                    target.get().onNext(i);
                }
                catch (RuntimeException ex) {
                    thrown.add(ex);
                }
            }
            try {
                target.get().onComplete();
                target.get().onError(new IllegalStateException("late"));
            }
            catch (RuntimeException ex) {
                thrown.add(ex);
            }
            assertThat(thrown).isEmpty();
        });
    }

    // ---- JDBC ---------------------------------------------------------------------------------------

    /** A fake driver: rows 1..n, next() behaving as {@code step} says on row {@code failAt}. */
    private static final class FakeDb {
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean autoCommit = new AtomicBoolean(true);
        final AtomicInteger rolledBack = new AtomicInteger();
        final CountDownLatch blocked = new CountDownLatch(1);
        final int failAt;
        final boolean block;
        int row;

        FakeDb(int failAt, boolean block) {
            this.failAt = failAt;
            this.block = block;
        }

        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { DataSource.class },
                    (p, m, a) -> switch (m.getName()) {
                        case "getConnection" -> connection();
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        Connection connection() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                    (p, m, a) -> switch (m.getName()) {
                        case "getAutoCommit" -> autoCommit.get();
                        case "setAutoCommit" -> {
                            autoCommit.set((Boolean) a[0]);
                            yield null;
                        }
                        case "rollback" -> {
                            rolledBack.incrementAndGet();
                            yield null;
                        }
                        case "close" -> {
                            closed.set(true);
                            yield null;
                        }
                        case "isClosed" -> closed.get();
                        case "prepareStatement" -> statement();
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        PreparedStatement statement() {
            return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { PreparedStatement.class }, (p, m, a) -> switch (m.getName()) {
                        case "setFetchSize", "close", "cancel" -> {
                            if (m.getName().equals("cancel")) {
                                closed.set(true);
                            }
                            yield null;
                        }
                        case "executeQuery" -> resultSet();
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        ResultSet resultSet() {
            return (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ResultSet.class },
                    (p, m, a) -> switch (m.getName()) {
                        case "next" -> {
                            row++;
                            if (row == failAt) {
                                if (!block) {
                                    throw new SQLException("connection reset at row " + row);
                                }
                                blocked.countDown();
                                // A driver blocked in a socket read: deaf to interrupts, woken by closing the connection.
                                io.sweetasync.Work.ignoringInterruptsUntil(closed::get); // as a classic socket read
                                throw new SQLException("connection closed");
                            }
                            yield row < 100;
                        }
                        case "getInt" -> row;
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    /** A ResultSet failing mid-cursor: rows before it received, the error the sender's, the connection restored and closed. */
    @Test
    void aCursorFailingMidwayKeepsItsRowsAndClosesTheConnection() {
        assertTimeoutPreemptively(CEILING, () -> {
            FakeDb db = new FakeDb(4, false);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(Sources.query(db.dataSource(), "select n", 2, rs -> rs.getInt(1)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).containsOnlyKeys(1, 2, 3);
            assertThat(done.errors()).singleElement().extracting(EventError::error).isInstanceOf(SQLException.class);
            assertThat(db.closed.get()).isTrue();
            assertThat(db.autoCommit.get()).isTrue();
            assertThat(db.rolledBack.get()).isEqualTo(1);
        });
    }

    /**
     * Sources.query's javadoc: "the connection is closed when the query is done or the pipeline is cancelled".
     * A cursor blocked in a fetch that ignores interrupts (as a socket read does): cancelling the pipeline
     * should close (or cancel) the connection so that the fetch ends.
     */
    @Test
    void cancellingAPipelineClosesTheConnectionOfACursorBlockedInAFetch() throws Exception {
        FakeDb db = new FakeDb(3, true);
        try {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(Sources.query(db.dataSource(), "select n", 2, rs -> rs.getInt(1)))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            assertThat(db.blocked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel()).isTrue();
            // join() waits for a body deaf to interrupts (README, cancel); the promise is about the connection.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(db.closed);
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        }
        finally {
            db.closed.set(true);
        }
    }

    /** A pipeline timeout bounds the caller even while the cursor's fetch ignores interrupts (a runaway sender). */
    @Test
    void aTimeoutReleasesTheCallerOfACursorBlockedInAFetch() {
        FakeDb db = new FakeDb(3, true);
        try {
            assertTimeoutPreemptively(CEILING, () -> {
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).timeout(Duration.ofMillis(300))
                        .sender(Sources.query(db.dataSource(), "select n", 2, rs -> rs.getInt(1)))
                        .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                        .run();
                assertThatThrownBy(task::join).isInstanceOf(io.sweetasync.TaskTimeoutException.class);
            });
        }
        finally {
            db.closed.set(true);
        }
    }

    /** Cancelled while the sender waits for room in the buffer: the transaction is rolled back, auto-commit restored, the connection closed. */
    @Test
    void aCursorCancelledWhileWaitingForRoomRestoresAndClosesTheConnection() {
        assertTimeoutPreemptively(CEILING, () -> {
            FakeDb db = new FakeDb(Integer.MAX_VALUE, false);
            CountDownLatch holding = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(1)
                    .sender(Sources.query(db.dataSource(), "select n", 2, rs -> rs.getInt(1)))
                    .receiver((event, collector) -> {
                        holding.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            holding.await();
            org.awaitility.Awaitility.await().atMost(CEILING).until(() -> task.progress().buffered() == 1);
            assertThat(task.cancel()).isTrue();
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            assertThat(db.closed.get()).isTrue();
            assertThat(db.autoCommit.get()).isTrue();
            assertThat(db.rolledBack.get()).isEqualTo(1);
        });
    }

    /** Sources that produce on worker 0 only: under parallel senders each line, chunk and item comes once. */
    @Test
    void unsharedSourcesUnderParallelSendersEmitOnce(@TempDir Path dir) {
        assertTimeoutPreemptively(CEILING, () -> {
            Path file = dir.resolve("lines.txt");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                lines.add("l" + i);
            }
            Files.write(file, lines);
            FinalEvent<Long, String> read = orchestrator.emits(String.class).bufferSize(2)
                    .sender(io.sweetasync.emit.SenderStrategy.parallel(io.sweetasync.emit.MinMax.of(1, 4)), Sources.lines(file))
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(read.emitted()).isEqualTo(1000);
            assertThat(read.collected().values()).containsExactlyInAnyOrderElementsOf(lines);
            FinalEvent<Long, List<String>> chunks = orchestrator.emits((Class<List<String>>) (Class<?>) List.class).bufferSize(2)
                    .sender(io.sweetasync.emit.SenderStrategy.parallel(io.sweetasync.emit.MinMax.of(3, 3)), Sources.chunked(lines, 7))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(chunks.collected().values().stream().mapToInt(List::size).sum()).isEqualTo(1000);
            assertThat(chunks.emitted()).isEqualTo(143);
        });
    }

    // ---- files --------------------------------------------------------------------------------------

    @Test
    void aMissingFileIsTheSendersErrorWithAFinalEvent(@TempDir Path dir) {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, String> done = orchestrator.emits(String.class)
                    .sender(Sources.lines(dir.resolve("absent.txt")))
                    .receiver((event, collector) -> collector.collect((int) event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isZero();
            assertThat(done.errors()).singleElement().extracting(EventError::error).isInstanceOf(NoSuchFileException.class);
        });
    }

    @Test
    void malformedInputIsTheSendersErrorAndStillGivesAFinalEvent(@TempDir Path dir) {
        assertTimeoutPreemptively(CEILING, () -> {
            Path file = dir.resolve("bad.txt");
            byte[] good = "one\ntwo\n".getBytes();
            byte[] bad = { (byte) 0xC3, (byte) 0x28, '\n' };
            byte[] all = new byte[good.length + bad.length + 10000];
            System.arraycopy(good, 0, all, 0, good.length);
            System.arraycopy(bad, 0, all, good.length, bad.length);
            java.util.Arrays.fill(all, good.length + bad.length, all.length, (byte) 'x');
            Files.write(file, all);
            FinalEvent<Integer, String> done = orchestrator.emits(String.class)
                    .sender(Sources.lines(file))
                    .receiver((event, collector) -> collector.collect((int) event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).singleElement().extracting(EventError::error)
                    .isInstanceOf(MalformedInputException.class);
            // (Lines in the reader's read-ahead before the bad bytes are lost with them: "one" and "two" never come.)
        });
    }

    /** A file deleted while it is read (POSIX: the open reader still sees it): every line, no error. */
    @Test
    void aFileDeletedWhileReadIsReadToItsEnd(@TempDir Path dir) {
        assertTimeoutPreemptively(CEILING, () -> {
            Path file = dir.resolve("going.txt");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                lines.add("line " + i);
            }
            Files.write(file, lines);
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch deleted = new CountDownLatch(1);
            EmittingTask<Integer, String> task = orchestrator.emits(String.class).bufferSize(1)
                    .sender(Sources.lines(file))
                    .receiver((event, collector) -> {
                        if (event.sequence() == 0) {
                            first.countDown();
                            deleted.await();
                        }
                        collector.collect((int) event.sequence(), event.data());
                    })
                    .run();
            first.await();
            Files.delete(file);
            deleted.countDown();
            FinalEvent<Integer, String> done = task.join();
            assertThat(done.errors()).isEmpty();
            assertThat(done.collected()).hasSize(5000);
        });
    }

    // ---- collect with nulls ------------------------------------------------------------------------

    /** Nothing documents that keys or values must be non-null: null key and value reach the final event and the stream. */
    @Test
    void nullKeysAndValuesAreCollectedAndStreamed() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (boolean sequence : new boolean[] { false, true }) {
                var builder = orchestrator.emits(Integer.class);
                if (sequence) {
                    builder = builder.sequence();
                }
                EmittingTask<String, String> task = builder
                        .sender(emitter -> emitter.emitAll(List.of(1, 2, 3)))
                        .receiver((event, collector) -> {
                            if (event.data() == 1) {
                                collector.collect(null, "null key");
                            }
                            else if (event.data() == 2) {
                                collector.collect("null value", null);
                            }
                            else {
                                collector.collectError(null, new IllegalStateException("null key error"));
                            }
                        })
                        .run();
                TrialRecorder<Map.Entry<String, String>> recorder = new TrialRecorder<>();
                task.results().subscribe(recorder);
                FinalEvent<String, String> done = task.join();
                Map<String, String> expected = new HashMap<>();
                expected.put(null, "null key");
                expected.put("null value", null);
                assertThat(done.collected()).isEqualTo(expected);
                assertThat(done.errors()).singleElement().satisfies(e -> assertThat(e.key()).isNull());
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isNull();
                assertThat(recorder.items).hasSize(2);
            }
        });
    }
}
