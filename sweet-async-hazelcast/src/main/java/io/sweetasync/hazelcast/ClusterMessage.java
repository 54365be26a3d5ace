package io.sweetasync.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;

/**
 * A message run by the executor of the member it is sent to: Hazelcast hands it that member's instance,
 * through which it finds the {@link HazelcastTaskCluster} attached there.
 */
abstract class ClusterMessage implements Serializable, HazelcastInstanceAware {

    @Serial
    private static final long serialVersionUID = 1L;

    private transient HazelcastInstance hazelcast;

    @Override
    public final void setHazelcastInstance(HazelcastInstance instance) {
        this.hazelcast = instance;
    }

    /**
     * The cluster attached on the member this runs on.
     *
     * @throws IllegalStateException if no orchestrator is attached there
     */
    final HazelcastTaskCluster here() {
        return HazelcastTaskCluster.attachedTo(hazelcast);
    }
}
