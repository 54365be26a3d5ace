package io.sweetasync.emit;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

class SourcesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void rowsOfAQueryAreStreamedWithACursorAndHeldBackByTheBuffer() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1");
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table orders(id int primary key, amount int)");
            try (PreparedStatement insert = connection.prepareStatement("insert into orders values (?, ?)")) {
                for (int i = 0; i < 20_000; i++) {
                    insert.setInt(1, i);
                    insert.setInt(2, i % 97);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        CountDownLatch release = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.<int[]>emits().bufferSize(32).sequence()
                .sender(Sources.query(dataSource, "select id, amount from orders order by id", 100,
                        row -> new int[] { row.getInt(1), row.getInt(2) }))
                .receiver((event, collector) -> {
                    release.await();
                    collector.collect(event.data()[0], event.data()[1]);
                })
                .run();
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().emitted() >= 25);
        Thread.sleep(100); // the cursor must not run ahead of the buffer (32 + 1 in the receiver's hands)
        long held = task.progress().emitted();
        assertThat(held).isBetween(25L, 33L);
        Thread.sleep(100);
        assertThat(task.progress().emitted()).isEqualTo(held);
        release.countDown();
        FinalEvent<Integer, Integer> done = task.join();
        assertThat(done.collected()).hasSize(20_000);
        assertThat(done.collected().keySet()).containsExactlyElementsOf(IntStream.range(0, 20_000).boxed().toList());
        assertThat(done.collected().values().stream().mapToLong(Integer::longValue).sum())
                .isEqualTo(IntStream.range(0, 20_000).map(i -> i % 97).asLongStream().sum());
    }

    /**
     * Promise: a query's failure is the sender's error. A rollback that fails as well (a driver that closed
     * the connection on the failure or on the stop's interrupt) replaced it: the pipeline showed the
     * rollback's error and lost the row's.
     */
    @Test
    void aFailingRollbackDoesNotHideTheQuerysOwnError() throws Exception {
        JdbcDataSource h2 = numbers("jdbc:h2:mem:rollback;DB_CLOSE_DELAY=-1");
        DataSource failingRollback = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                    Object result = invoke(h2, method, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                            (p, m, a) -> {
                                if (m.getName().equals("rollback")) {
                                    throw new SQLException("connection already closed");
                                }
                                return invoke(connection, m, a);
                            });
                });
        assertThat(rowErrorOf(failingRollback).getSuppressed()).singleElement()
                .satisfies(suppressed -> assertThat(suppressed).hasMessage("connection already closed"));
    }

    /**
     * The same, for a driver (or a wrapper of one) written without checked exceptions whose rollback throws one it
     * does not declare: {@code Sources.query} caught only a {@code SQLException} or an unchecked one there, and the
     * rollback's {@code IOException} replaced the row's failure.
     */
    @Test
    void aRollbackThatThrowsACheckedExceptionDoesNotHideTheQuerysOwnError() throws Exception {
        String url = "jdbc:h2:mem:sneaky-rollback;DB_CLOSE_DELAY=-1";
        numbers(url);
        AtomicBoolean failed = new AtomicBoolean();
        // The source is a proxy (it throws nothing here); the connection is the driver's class, whose own method
        // throws: a proxy would wrap an undeclared checked exception in an UndeclaredThrowableException.
        DataSource failingRollback = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> new JdbcConnection(url, new Properties(),
                        "", "", false) {
                    @Override
                    public void rollback() throws SQLException {
                        if (failed.compareAndSet(false, true)) {
                            throw sneaky(new IOException("the driver's rollback failed"));
                        }
                        super.rollback();
                    }
                });
        assertThat(rowErrorOf(failingRollback).getSuppressed()).singleElement().satisfies(suppressed -> assertThat(
                suppressed).isInstanceOf(IOException.class).hasMessage("the driver's rollback failed"));
    }

    /** A database at {@code url} with a table of the numbers 1 to 10. */
    private static JdbcDataSource numbers(String url) throws SQLException {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        try (Connection connection = h2.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table numbers(n int primary key)");
            ddl.execute("insert into numbers select x from system_range(1, 10)");
        }
        return h2;
    }

    /** The error of a query of the numbers whose third row fails: that row's own, rows 1 and 2 received. */
    private Throwable rowErrorOf(DataSource source) {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(Sources.query(source, "select n from numbers order by n", 4, row -> {
                    if (row.getInt(1) == 3) {
                        throw new IllegalStateException("row 3 is bad");
                    }
                    return row.getInt(1);
                }))
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(done.received()).isEqualTo(2);
        assertThat(done.errors()).hasSize(1);
        Throwable error = done.errors().getFirst().error();
        assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("row 3 is bad");
        return error;
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        }
        catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }

    @Test
    void anyFlowPublisherIsASourceWithBoundedDemand() throws Exception {
        SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>();
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(16)
                .sender(Sources.publisher(publisher, 8))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), 1))
                .run();
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.getNumberOfSubscribers() == 1);
        for (int i = 0; i < 10_000; i++) {
            publisher.submit(i);
        }
        publisher.close(); // completes the subscription once everything submitted is delivered
        FinalEvent<Integer, Integer> done = task.join();
        assertThat(done.emitted()).isEqualTo(10_000);
        assertThat(done.collected()).hasSize(10_000);
    }

    @Test
    void reactorConsumesResultsAsAFlowPublisher() {
        EmittingTask<Integer, String> task = orchestrator.emits(Integer.class)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, 5_000).boxed()))
                .receiver(ReceiverStrategy.parallel(4), (event, collector) -> collector.collect(event.data(), "v" + event.data()))
                .run();
        Flux<Map.Entry<Integer, String>> results = JdkFlowAdapter.flowPublisherToFlux(task.results());
        List<Map.Entry<Integer, String>> all = results.limitRate(64).collectList().block(Duration.ofSeconds(60));
        assertThat(all).hasSize(5_000);
        assertThat(all).allSatisfy(entry -> assertThat(entry.getValue()).isEqualTo("v" + entry.getKey()));
        // A late subscriber still sees everything, from the first result.
        assertThat(JdkFlowAdapter.flowPublisherToFlux(task.results()).count().block(Duration.ofSeconds(60)))
                .isEqualTo(5_000L);
    }

    /**
     * A file several times larger than the heap of the JVM that processes it: run in a child JVM with a
     * 64 MB heap over a file of about 300 MB.
     */
    @Test
    void aLineSourceStreamsAFileLargerThanTheHeap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.txt");
        long lines = 3_000_000;
        String padding = "x".repeat(90);
        try (BufferedWriter writer = Files.newBufferedWriter(file)) {
            for (long i = 0; i < lines; i++) {
                writer.write(Long.toString(i));
                writer.write(',');
                writer.write(padding);
                writer.newLine();
            }
        }
        assertThat(Files.size(file)).isGreaterThan(4L * 64 * 1024 * 1024);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LineCountMain.class.getName(), file.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output.trim()).isEqualTo("lines=" + lines + " sum=" + (lines * (lines - 1) / 2));
    }

    /** Counts a file's lines through a pipeline; run in a small-heap child JVM. */
    public static final class LineCountMain {

        public static void main(String[] args) {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(0).build()) {
                java.util.concurrent.atomic.LongAdder sum = new java.util.concurrent.atomic.LongAdder();
                FinalEvent<Object, Object> done = orchestrator.emits(String.class).bufferSize(1024)
                        .sender(Sources.lines(Path.of(args[0])))
                        .receiver(ReceiverStrategy.parallel(4), (event, collector) ->
                                sum.add(Long.parseLong(event.data().substring(0, event.data().indexOf(',')))))
                        .awaitFinalEvent();
                System.out.println("lines=" + done.received() + " sum=" + sum.sum());
            }
        }
    }
}
