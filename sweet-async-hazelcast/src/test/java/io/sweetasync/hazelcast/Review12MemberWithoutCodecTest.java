package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.jdbc.JdbcTaskStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6/7: a durable task runs at least once and no caller waits forever. Members share a store, but only the
 * submitting one has a durable codec (a store without one keeps history only: the others run no durable task). They
 * were chosen all the same (their load said they own durable work under their incarnation): each turned the stored
 * invocation away ("no task store or durable codec") while it stayed owned by its live incarnation, whose lease never
 * lapses, so nobody ever ran it and the handle waited for good.
 */
@Timeout(150)
class Review12MemberWithoutCodecTest {

    private TestCluster test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aDurableTaskIsNotPlacedOnAMemberThatCannotRunDurableTasks() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:codec-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        test = TestCluster.start(3, (index, builder) -> {
            builder.store(store).member("member-" + index).storeLease(Duration.ofSeconds(4))
                    .storeFlushInterval(Duration.ofMillis(100));
            return index == 0 ? builder.durableCodec(new TextCodec()) : builder;
        });
        TestCluster.Member a = test.busyFirst(); // so that the others are less loaded

        SpawningTask<String> handle = a.orchestrator.to(String.class).durable("where", "x").run();

        assertThat(handle.get(60, TimeUnit.SECONDS)).isEqualTo(a.name);
        assertThat(handle.status()).isEqualTo(TaskStatus.COMPLETED);
    }
}
