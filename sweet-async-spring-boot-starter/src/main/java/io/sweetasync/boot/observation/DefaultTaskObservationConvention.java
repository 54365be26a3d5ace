package io.sweetasync.boot.observation;

import io.micrometer.common.KeyValues;
import io.sweetasync.TaskInfo;
import java.util.Locale;

/** The default names and tags of {@code sweet.async.task} observations. */
public class DefaultTaskObservationConvention implements TaskObservationConvention {

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
                TaskObservationDocumentation.LowCardinalityKeys.NAME.withValue(task.name()),
                TaskObservationDocumentation.LowCardinalityKeys.GROUP.withValue(task.group() == null ? "none" : task.group()),
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
