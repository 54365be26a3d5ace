package io.sweetasync.boot.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Gives the meters that Micrometer derives from the {@code sweet.async.task} observation their
 * descriptions (Prometheus' {@code HELP}), which observations cannot carry: {@code sweet.async.task} (a timer
 * per finished task, tagged {@code name}, {@code group}, {@code runtime}, {@code outcome}, {@code error}) and
 * {@code sweet.async.task.active} (a long task timer of running tasks). The starter registers it as a
 * {@code MeterFilter} bean; elsewhere:
 *
 * <pre>{@code
 * registry.config().meterFilter(new TaskObservationDescriptions());
 * }</pre>
 */
public final class TaskObservationDescriptions implements MeterFilter {

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "sweet.async.task", "Tasks from their first attempt to their terminal status (the sweet.async.task observation)",
            "sweet.async.task.active", "Tasks running now, and for how long (the sweet.async.task observation)");

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = DESCRIPTIONS.get(id.getName());
        if (description == null || id.getDescription() != null) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
