package io.sweetasync.boot.observation;

import io.micrometer.common.KeyValues;
import io.sweetasync.TaskInfo;
import io.sweetasync.boot.micrometer.BoundedTagValues;
import java.util.Locale;

/**
 * The default names and tags of {@code sweet.async.task} observations. The low-cardinality tags become
 * meter tags, so they stay bounded: task names and groups beyond the first {@value #MAX_VALUES} of each
 * that one convention sees become {@code other} (the span's name is the task's name all the same).
 */
public class DefaultTaskObservationConvention implements TaskObservationConvention {

    /** Distinct task names, and distinct groups, kept as tag values. */
    public static final int MAX_VALUES = 200;

    private final BoundedTagValues names = new BoundedTagValues(MAX_VALUES);
    private final BoundedTagValues groups = new BoundedTagValues(MAX_VALUES);

    @Override
    public String getName() {
        return "sweet.async.task";
    }

    @Override
    public String getContextualName(TaskObservationContext context) {
        return context.getTask().name();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
        TaskInfo task = context.getTask();
        KeyValues keys = KeyValues.of(
                TaskObservationDocumentation.LowCardinalityKeys.NAME.withValue(names.of(task.name())),
                TaskObservationDocumentation.LowCardinalityKeys.GROUP.withValue(task.group() == null ? "none" : groups.of(task.group())),
                TaskObservationDocumentation.LowCardinalityKeys.RUNTIME.withValue(task.runtime()));
        // no outcome while the task runs (the sweet.async.task.active meter), so none says "unknown"
        return task.status().isTerminal() ? keys.and(TaskObservationDocumentation.LowCardinalityKeys.OUTCOME
                .withValue(task.status().name().toLowerCase(Locale.ROOT))) : keys;
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TaskObservationContext context) {
        TaskInfo task = context.getTask();
        return KeyValues.of(TaskObservationDocumentation.HighCardinalityKeys.TASK_ID.withValue(task.id().toString()),
                TaskObservationDocumentation.HighCardinalityKeys.ATTEMPTS.withValue(Integer.toString(task.attempts())));
    }
}
