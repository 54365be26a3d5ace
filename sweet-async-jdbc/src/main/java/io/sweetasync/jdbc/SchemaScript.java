package io.sweetasync.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's schema: reads a schema script from the classpath, splits it into statements (no ';' inside
 * statements) and runs a database's scripts in order, its tables named with the store's prefix.
 *
 * <p>Invariants: stateless; the scripts are idempotent (each creates only what is missing), so running
 * them again, or from two members at once, changes nothing that exists. They run on one connection, one
 * statement after another, in the connection's own commit mode (no transaction of their own).
 */
final class SchemaScript {

    private SchemaScript() {
    }

    /** Runs the scripts at {@code locations}, in order, with {@code sweet_async_} replaced by {@code prefix}. */
    static void initialize(StoreConnections connections, List<String> locations, String prefix) {
        List<String> scripts = locations.stream()
                .map(location -> SchemaScript.read(location).replace("sweet_async_", prefix)).toList();
        connections.run(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String script : scripts) {
                    for (String sql : SchemaScript.statements(script)) {
                        statement.execute(sql);
                    }
                }
            }
            return null;
        });
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
