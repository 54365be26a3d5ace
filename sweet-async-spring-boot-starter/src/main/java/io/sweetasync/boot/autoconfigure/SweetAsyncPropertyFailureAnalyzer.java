package io.sweetasync.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns an {@link InvalidSweetAsyncPropertyException} into a start-up report that says what to fix. */
class SweetAsyncPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSweetAsyncPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSweetAsyncPropertyException cause) {
        return new FailureAnalysis("Sweet Async could not start: " + cause.getMessage() + ".",
                "Update '" + cause.getProperty() + "' in your application's configuration: " + cause.getAction(), cause);
    }
}
