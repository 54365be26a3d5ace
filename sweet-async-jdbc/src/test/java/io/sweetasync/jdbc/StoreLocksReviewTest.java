package io.sweetasync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The store's statements against locks another session holds on its tables, on a real PostgreSQL. */
class StoreLocksReviewTest {

    /**
     * A DBA builds an index on the task table ({@code CREATE INDEX} holds a SHARE lock: reads go on, writes wait).
     * The member table is free, so a renewal of the lease can go through; it used to commit and then wait without
     * end in marking lost the tasks of dead members, and the lease keeper's later renewals never came: this live
     * member's lease lapsed, its durable tasks were claimed and run a second time elsewhere. Now marking lost is
     * given up after a third of the lease and the renewal returns (renewed), so the next renewals come.
     */
    @Test
    void aLockOnTheTaskTableDoesNotKeepTheLeaseKeeperFromItsNextRenewals() throws Exception {
        assumeTrue(Databases.postgres().isPresent(), "needs " + Databases.POSTGRES_ENV);
        DataSource dataSource = Databases.postgres().orElseThrow().dataSource();
        String prefix = "lk" + ProcessHandle.current().pid() + "_";
        JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix);
        store.initializeSchema();
        Duration lease = Duration.ofSeconds(2);
        long incarnation = store.open("alive", lease, 1).number();
        try (Connection dba = dataSource.getConnection(); Statement lock = dba.createStatement()) {
            dba.setAutoCommit(false);
            lock.execute("LOCK TABLE " + prefix + "task IN SHARE MODE");
            try {
                for (int renewal = 0; renewal < 3; renewal++) {
                    long before = System.currentTimeMillis();
                    int lost = assertTimeoutPreemptively(Duration.ofSeconds(60),
                            () -> store.heartbeat(incarnation, lease), "a renewal waited for the lock on the task table");
                    assertEquals(0, lost);
                    try (Statement read = dba.createStatement(); ResultSet row = read.executeQuery("SELECT lease_until "
                            + "FROM " + prefix + "member WHERE incarnation = " + incarnation)) {
                        assertTrue(row.next());
                        assertTrue(row.getLong(1) >= before + lease.toMillis(), "renewed at renewal " + renewal);
                    }
                }
            }
            finally {
                dba.rollback();
            }
        }
    }
}
