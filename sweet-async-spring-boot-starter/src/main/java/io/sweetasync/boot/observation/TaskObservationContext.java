package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.sweetasync.TaskInfo;

/**
 * The context of a {@code sweet.async.task} observation: the task as created, then as finished, from when the
 * observation stops (so that what its start records never carries an outcome).
 */
public class TaskObservationContext extends Observation.Context {

    private volatile TaskInfo task;

    public TaskObservationContext(TaskInfo task) {
        this.task = task;
    }

    /** The task as created; its final snapshot once the observation stops. */
    public TaskInfo getTask() {
        return task;
    }

    void setTask(TaskInfo task) {
        this.task = task;
    }
}
