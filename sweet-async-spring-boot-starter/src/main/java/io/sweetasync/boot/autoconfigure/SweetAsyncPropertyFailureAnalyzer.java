package io.sweetasync.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Turns an {@link InvalidSweetAsyncPropertyException} into a start-up report that says what to fix, quoting
 * the value as it was written ({@code -1s}, not the {@code PT-1S} it was bound to) when the environment has it.
 */
class SweetAsyncPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSweetAsyncPropertyException> {

    private final Environment environment;

    SweetAsyncPropertyFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSweetAsyncPropertyException cause) {
        String written = environment == null ? null : environment.getProperty(cause.getProperty());
        String description = written == null ? cause.getMessage()
                : "Invalid value '" + written + "' for property '" + cause.getProperty() + "': " + cause.getReason();
        return new FailureAnalysis("Sweet Async could not start: " + description + ".",
                "Update '" + cause.getProperty() + "' in your application's configuration: " + cause.getAction(), cause);
    }
}
