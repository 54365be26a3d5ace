package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor {@code sweet-async} carries every start, end and cancellation of placed tasks, end messages without an
 * answer. An application that configured it itself (by its name or a wildcard) with a bounded queue keeps its
 * configuration; under a burst such a queue drops end messages, whose handles then wait for good, and nothing said
 * so. Now a warning at start names the configuration and its capacity; an unbounded one (capacity 0) gets none.
 */
@Timeout(120)
class Review14BoundedExecutorWarningTest {

    private final Logger log = Logger.getLogger(HazelcastTaskCluster.class.getName());
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue() && record.getMessage() != null) {
                warnings.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private HazelcastInstance instance;

    @BeforeEach
    void listen() {
        log.addHandler(handler);
    }

    @AfterEach
    void stop() {
        log.removeHandler(handler);
        if (instance != null) {
            instance.getLifecycleService().terminate();
        }
    }

    private HazelcastInstance member(ExecutorConfig executor) {
        Config config = TestCluster.config("sweet-test-" + UUID.randomUUID(), TestCluster.freeBlock(1), 1, 0);
        config.addExecutorConfig(executor);
        instance = Hazelcast.newHazelcastInstance(config);
        return instance;
    }

    @Test
    void anApplicationsBoundedExecutorConfigurationIsKeptAndWarnedOf() {
        HazelcastInstance hazelcast = member(new ExecutorConfig("sweet-*").setQueueCapacity(100));
        new HazelcastTaskCluster(hazelcast);
        assertThat(hazelcast.getConfig().findExecutorConfig(HazelcastTaskCluster.EXECUTOR).getQueueCapacity())
                .as("the application's configuration is kept").isEqualTo(100);
        assertThat(warnings).anySatisfy(warning -> assertThat(warning)
                .contains(HazelcastTaskCluster.EXECUTOR, "'sweet-*'", "queue capacity of 100", "queue capacity 0"));
    }

    @Test
    void anApplicationsUnboundedExecutorConfigurationIsNotWarnedOf() {
        HazelcastInstance hazelcast = member(new ExecutorConfig(HazelcastTaskCluster.EXECUTOR).setPoolSize(4));
        new HazelcastTaskCluster(hazelcast);
        assertThat(warnings).noneSatisfy(warning -> assertThat(warning).contains("queue capacity"));
    }
}
