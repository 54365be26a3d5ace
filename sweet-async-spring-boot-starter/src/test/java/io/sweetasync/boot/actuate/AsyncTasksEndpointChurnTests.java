package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

/** The endpoint read, and its answer written as JSON, while trees start, grow and end all the time. */
class AsyncTasksEndpointChurnTests {

    @Test
    @Timeout(120)
    void readingAndWritingTheAnswerWhileTreesChurnNeverFailsAndCountsStayConsistent() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(20).build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            JsonMapper json = JsonMapper.builder().build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger roots = new AtomicInteger();
            Thread churn = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    SpawningTask<Integer> root = orchestrator.to(Integer.class).named("churn").run(() -> {
                        TaskContext context = TaskContext.current().orElseThrow();
                        for (int i = 0; i < 5; i++) {
                            context.child(Integer.class).named("leaf").run(() -> {
                                TaskContext.current().orElseThrow().runChild(() -> 1);
                                return 1;
                            });
                        }
                        if (roots.get() % 7 == 0) {
                            throw new IllegalStateException("failed on purpose");
                        }
                        return 0;
                    });
                    if (roots.incrementAndGet() % 20 == 0) {
                        root.result(); // a bounded number of live trees
                    }
                }
            });
            try {
                for (int read = 0; read < 100; read++) {
                    AsyncTasksEndpoint.TasksDescriptor answer = read % 2 == 0 ? endpoint.tasks()
                            : endpoint.tasks(3);
                    String written = json.writeValueAsString(answer);
                    assertThat(written).contains("\"live\"");
                    // (a root ending during the read may be listed with its terminal status: the core's roots()
                    // reads the registry it is leaving; left as it is)
                    for (TaskDescriptor live : answer.live()) {
                        int listed = live.childStatuses().values().stream().mapToInt(Integer::intValue).sum();
                        assertThat(listed).as("childStatuses of %s", live.id()).isLessThanOrEqualTo(live.childCount());
                    }
                    Integer limit = read % 3 == 0 ? null : 2;
                    answer.live().stream().findFirst().ifPresent(first -> endpoint.task(first.id(), limit));
                }
            }
            finally {
                stop.set(true);
                churn.join();
            }
            assertThat(roots.get()).as("trees churned while the endpoint was read").isPositive();
        }
    }
}
