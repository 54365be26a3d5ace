package io.sweetasync.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/** Answers with the live trees and groups of the member it is sent to. */
final class TakeSnapshot extends ClusterMessage implements Callable<FlatSnapshot>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public FlatSnapshot call() {
        HazelcastTaskCluster here = here();
        return FlatSnapshot.of(here.memberName(), here.host().roots(), here.host().limiters());
    }
}
