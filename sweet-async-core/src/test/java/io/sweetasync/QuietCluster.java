package io.sweetasync;

import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.TaskCluster;
import java.util.List;

/**
 * A cluster of this member alone, for tests: no views, nothing to cancel or leave, no placement; a test
 * overrides what it scripts (its incarnation at least). Public for the tests of other packages.
 */
public abstract class QuietCluster implements TaskCluster {

    @Override
    public void attach(ClusterHost host) {
    }

    @Override
    public String memberName() {
        return "here";
    }

    @Override
    public PlacedTask place(RemoteInvocation invocation) {
        throw new UnsupportedOperationException("no placement in this test");
    }

    @Override
    public List<MemberSnapshot> members() {
        return List.of();
    }

    @Override
    public boolean cancel(TaskId id) {
        return false;
    }

    @Override
    public void detach() {
    }
}
