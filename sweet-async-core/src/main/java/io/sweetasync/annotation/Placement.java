package io.sweetasync.annotation;

/**
 * Where an {@link AsyncTask} method runs in a cluster.
 *
 * <pre>{@code
 * @AsyncTask(placement = Placement.ANYWHERE)
 * public Thumbnail resize(Image image) { ... }
 * }</pre>
 */
public enum Placement {
    /** On the member where it is called. */
    LOCAL,
    /**
     * On the least loaded member of the cluster (this one included), as with
     * {@link io.sweetasync.SpawningTaskBuilder#anywhere()}; on this member when there is no cluster.
     */
    ANYWHERE
}
