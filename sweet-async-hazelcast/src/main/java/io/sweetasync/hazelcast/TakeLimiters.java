package io.sweetasync.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;

/** Answers with the groups of the member it is sent to, without its trees. */
final class TakeLimiters extends ClusterMessage implements Callable<FlatSnapshot>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public FlatSnapshot call() {
        HazelcastTaskCluster here = here();
        return FlatSnapshot.of(here.memberName(), List.of(), here.host().limiters());
    }
}
