package io.sweetasync.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

/**
 * A message run by the executor of the member it is sent to: Hazelcast hands it that member's instance,
 * through which it finds the {@link HazelcastTaskCluster} attached there. Each message says how it travels:
 * the ones of every placement are {@code DataSerializable} (written field by field), the rare ones
 * {@code Serializable}.
 */
abstract class ClusterMessage implements HazelcastInstanceAware {

    /** Set by Hazelcast on the member that runs the message; never serialized. */
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
