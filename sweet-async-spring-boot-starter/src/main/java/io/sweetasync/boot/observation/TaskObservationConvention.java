package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags {@code sweet.async.task} observations; define a bean to replace
 * {@link DefaultTaskObservationConvention}.
 */
public interface TaskObservationConvention extends ObservationConvention<TaskObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TaskObservationContext;
    }
}
