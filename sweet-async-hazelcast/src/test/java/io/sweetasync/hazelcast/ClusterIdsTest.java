package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ids are unique among the members of a cluster whatever their stores: members without a store, members
 * with one, members with different stores, in any join order and across a member's restart. Each member's
 * incarnation is read from the id of a task it runs.
 */
@Timeout(120)
class ClusterIdsTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    /** The store of each member by index (members started later, restarts included, have later indexes). */
    private final Map<Integer, TaskStore> stores = new HashMap<>();
    private TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private TestCluster start(int size) {
        cluster = TestCluster.start(size, (index, builder) -> {
            TaskStore store = stores.get(index);
            return store == null ? builder : builder.store(store).member("member-" + index).storeLease(LEASE)
                    .durableCodec(new TextCodec());
        });
        return cluster;
    }

    @Test
    void aMemberWithAStoreJoiningAfterMembersWithoutOneTakesANumberNoneOfThemHas() {
        JdbcTaskStore store = h2();
        stores.put(2, store);
        start(2);
        TestCluster.Member joined = cluster.join();

        assertThat(incarnations()).doesNotHaveDuplicates();
        long number = incarnation(joined);
        assertThat(number).isGreaterThan(2); // the fresh store's 1 was taken: it skipped ahead
        assertThat(joined.orchestrator.storeStatistics().orElseThrow().incarnation()).isEqualTo(number);
        // The store recorded the skip: it never hands the number out again, so ids stay unique across restarts.
        assertThat(store.open("a later start", LEASE).number()).isGreaterThan(number);
    }

    @Test
    void membersWithoutAStoreJoiningAfterAStoreMemberNumberAboveIt() {
        JdbcTaskStore store = h2();
        for (int i = 0; i < 6; i++) { // six earlier starts: the store's next incarnation is 7
            store.close(store.open("earlier", LEASE).number());
        }
        stores.put(0, store);
        start(1);
        cluster.join();
        cluster.join();

        assertThat(incarnations()).containsExactly(7L, 8L, 9L);
    }

    @Test
    void membersWithDifferentStoresAndNoneNeverShareANumberAcrossJoinsAndRestarts() {
        JdbcTaskStore first = h2();
        JdbcTaskStore second = h2();
        stores.put(0, first);
        stores.put(1, second);
        start(2);
        assertThat(incarnations()).doesNotHaveDuplicates(); // both stores would give 1

        cluster.join(); // index 2: no store
        assertThat(incarnations()).hasSize(3).doesNotHaveDuplicates();

        TestCluster.Member restarted = cluster.get(1);
        long before = incarnation(restarted);
        restarted.hazelcast.getLifecycleService().terminate();
        cluster.left(restarted);
        stores.put(3, second);
        TestCluster.Member again = cluster.join(); // index 3: the second store again
        assertThat(incarnation(again)).isGreaterThan(before); // unique in its store across restarts
        assertThat(incarnations()).hasSize(3).doesNotHaveDuplicates();

        stores.put(4, h2()); // a third, fresh store joins late
        cluster.join();
        assertThat(incarnations()).hasSize(4).doesNotHaveDuplicates();
    }

    private List<Long> incarnations() {
        return cluster.members.stream().map(ClusterIdsTest::incarnation).toList();
    }

    private static long incarnation(TestCluster.Member member) {
        TaskId id = member.orchestrator.to(String.class).run(() -> "any").id();
        return id.incarnation();
    }

    private static JdbcTaskStore h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:ids-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        return store;
    }
}
