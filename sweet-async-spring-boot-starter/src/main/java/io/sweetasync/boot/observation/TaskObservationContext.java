package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.sweetasync.TaskInfo;

/** The context of a {@code sweet.async.task} observation: the task as created, then as finished. */
public class TaskObservationContext extends Observation.Context {

    private volatile TaskInfo task;

    public TaskObservationContext(TaskInfo task) {
        this.task = task;
    }

    /** The task; its final snapshot once the task has finished. */
    public TaskInfo getTask() {
        return task;
    }

    void setTask(TaskInfo task) {
        this.task = task;
    }
}
