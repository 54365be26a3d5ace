package io.sweetasync.hostile;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages one logger ({@code java.util.logging}, where {@link System.Logger} goes without another
 * backend) logs from {@link #capture} until {@link #close}, for tests of what the library says in its log:
 *
 * <pre>{@code
 * try (LogLines warnings = LogLines.capture("io.sweetasync.LimiterGroups")) {
 *     orchestrator.limiter("pricing");
 *     assertThat(warnings.messages()).isEmpty();
 * }
 * }</pre>
 */
public final class LogLines implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> formatted = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            messages.add(String.valueOf(record.getMessage()));
            formatted.add(record.getParameters() == null ? String.valueOf(record.getMessage())
                    : MessageFormat.format(String.valueOf(record.getMessage()), record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogLines(String logger) {
        this.logger = Logger.getLogger(logger);
        this.logger.addHandler(handler);
    }

    /** Starts capturing what {@code logger} logs, at any level. */
    public static LogLines capture(String logger) {
        return new LogLines(logger);
    }

    /** The messages logged so far, in order (a live view), as logged: with their {@code {0}} placeholders. */
    public List<String> messages() {
        return messages;
    }

    /** The messages logged so far, in order, with their parameters put in. */
    public List<String> formatted() {
        return formatted;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
