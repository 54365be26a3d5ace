package io.sweetasync.jdbc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.h2.jdbcx.JdbcDataSource;

/** The warnings a {@link JdbcTaskStore} logs when it first meets a database, for the tests of what it warns of. */
final class StoreWarnings {

    private StoreWarnings() {
    }

    /**
     * The WARNING messages containing {@code about} that a store logs while it initializes the schema of the H2
     * database at {@code url} twice (the second call meets the database it knows: no second warning).
     */
    static List<String> whileStoreMeets(String url, String about) {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (record.getLevel().intValue() >= Level.WARNING.intValue() && message.contains(about)) {
                    warnings.add(message);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(JdbcTaskStore.class.getName());
        log.addHandler(handler);
        try {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            JdbcTaskStore store = new JdbcTaskStore(h2);
            store.initializeSchema();
            store.initializeSchema();
            return warnings;
        }
        finally {
            log.removeHandler(handler);
        }
    }
}
