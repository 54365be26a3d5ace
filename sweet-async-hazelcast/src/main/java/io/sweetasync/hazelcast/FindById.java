package io.sweetasync.hazelcast;

import io.sweetasync.TaskId;
import io.sweetasync.spi.MemberSnapshot;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Answers with the live task of an id on the member it is sent to, with its subtree (flat, as views travel), or
 * null if it runs none.
 */
final class FindById extends ClusterMessage implements Callable<FlatSnapshot>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String id;

    FindById(String id) {
        this.id = id;
    }

    @Override
    public FlatSnapshot call() {
        HazelcastTaskCluster here = here();
        return new MemberSnapshot(here.memberName(), true, here.host().roots(), List.of()).find(TaskId.parse(id))
                .map(found -> FlatSnapshot.of(here.memberName(), List.of(found), List.of())).orElse(null);
    }
}
