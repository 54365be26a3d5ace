package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's schema: reads a schema script from the classpath, splits it into statements (no ';' inside
 * statements) and runs a database's scripts in order, its tables named with the store's prefix.
 *
 * <p>Invariants: stateless but for {@link #IN_THIS_JVM}; the scripts are idempotent (each creates only what is
 * missing), so running them again changes nothing that exists. Runs of them never overlap: two {@code CREATE ...
 * IF NOT EXISTS} of one object at once are not idempotent (on H2 and PostgreSQL alike the second fails, "already
 * exists"), and members sharing a store start, and initialize it, together. So on H2 runs take
 * {@link #IN_THIS_JVM} (an in-memory H2 is one JVM's; a file one is one process's), and on PostgreSQL the scripts
 * run in one transaction (the connection's own if it is in one already) under a transaction-level advisory lock
 * named by the prefix, which runs in this and other processes wait for and which ends with that transaction
 * whatever happens; never under {@link #IN_THIS_JVM} too: in a caller's transaction the advisory lock outlives the
 * call, and a run waiting for it while holding the JVM's lock would stop that caller's next run for good. On H2
 * they run on one connection, one statement after another, in the connection's commit mode.
 */
final class SchemaScript {

    /** Held while scripts run in this JVM on H2; see the class comment. */
    private static final ReentrantLock IN_THIS_JVM = new ReentrantLock();
    /** The first key of the PostgreSQL advisory lock ("SwAs"); the second is the prefix's hash. */
    private static final int ADVISORY_LOCK_SPACE = 0x53774173;

    private SchemaScript() {
    }

    /** Runs the scripts at {@code locations}, in order, with {@code sweet_async_} replaced by {@code prefix}. */
    static void initialize(StoreConnections connections, List<String> locations, String prefix) {
        List<String> scripts = locations.stream()
                .map(location -> SchemaScript.read(location).replace("sweet_async_", prefix)).toList();
        boolean postgres = connections.dialectNow() == Dialect.POSTGRESQL;
        StoreConnections.Work<Void> run = connection -> {
            if (postgres) {
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
                    lock.setInt(1, ADVISORY_LOCK_SPACE);
                    lock.setInt(2, prefix.hashCode());
                    lock.execute();
                }
            }
            try (Statement statement = connection.createStatement()) {
                for (String script : scripts) {
                    for (String sql : SchemaScript.statements(script)) {
                        statement.execute(sql);
                    }
                }
            }
            return null;
        };
        if (postgres) {
            // The advisory lock alone, also between runs in this JVM: in the caller's transaction it is held until that
            // transaction ends, after this returns, so a run here waiting for it must not hold IN_THIS_JVM, which the
            // caller's next run in that transaction would wait for.
            connections.transaction(run);
            return;
        }
        IN_THIS_JVM.lock();
        try {
            connections.run(run);
        }
        finally {
            IN_THIS_JVM.unlock();
        }
    }

    static String read(String location) {
        try (InputStream in = SchemaScript.class.getClassLoader().getResourceAsStream(location)) {
            if (in == null) {
                throw new IllegalStateException("schema script " + location + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot read schema script " + location, ex);
        }
    }

    static List<String> statements(String script) {
        StringBuilder code = new StringBuilder();
        for (String line : script.split("\\R")) {
            if (!line.strip().startsWith("--")) {
                code.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : code.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }
}
