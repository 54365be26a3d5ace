package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags {@code sweet.async.task} observations; define a bean to replace
 * {@link DefaultTaskObservationConvention}. A low-cardinality tag becomes a meter tag: keep its values bounded.
 *
 * <pre>{@code
 * @Bean
 * TaskObservationConvention taskObservations() {
 *     return new DefaultTaskObservationConvention() {
 *         @Override
 *         public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
 *             return super.getLowCardinalityKeyValues(context)
 *                     .and("tier", context.getTask().tags().getOrDefault("tier", "none"));
 *         }
 *     };
 * }
 * }</pre>
 */
public interface TaskObservationConvention extends ObservationConvention<TaskObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TaskObservationContext;
    }
}
