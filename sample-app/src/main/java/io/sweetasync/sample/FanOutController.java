package io.sweetasync.sample;

import io.sweetasync.AsyncTask;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Fans a "price check" out into child tasks: {@code POST /api/price-checks?items=20} starts it and
 * answers at once; {@code GET /api/tasks/{id}} shows the task with its subtree.
 */
@RestController
@RequestMapping("/api")
class FanOutController {

    private final TaskOrchestrator orchestrator;

    FanOutController(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    record Started(String taskId, String status) {
    }

    @PostMapping(path = "/price-checks")
    @org.springframework.web.bind.annotation.ResponseStatus(HttpStatus.ACCEPTED)
    Started start(@RequestParam(defaultValue = "20") int items) {
        if (items < 1 || items > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "items must be between 1 and 10000, was " + items);
        }
        var task = AsyncTask.to(Long.class)
                .named("price-check")
                .timeout(Duration.ofSeconds(30))
                .tag("items", Integer.toString(items))
                .run(() -> priceAll(items));
        return new Started(task.id().toString(), task.status().name());
    }

    private static long priceAll(int items) {
        TaskContext context = TaskContext.current().orElseThrow();
        for (int item = 0; item < items; item++) {
            int id = item;
            context.child(Long.class)
                    .named("price-item")
                    .retry(RetryPolicy.fixed(2, Duration.ofMillis(20)))
                    .run(() -> price(id));
        }
        List<TaskResult<?>> results = context.joinChildren();
        return results.stream().filter(TaskResult::isOk).mapToLong(result -> (Long) result.orElseThrow()).sum();
    }

    /** A simulated downstream call: 5-50 ms, failing now and then so that retries show. */
    private static long price(int item) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Thread.sleep(5 + random.nextInt(45));
        if (random.nextInt(10) == 0) {
            throw new IllegalStateException("pricing service busy for item " + item);
        }
        return 100L + item;
    }

    @GetMapping("/tasks/{id}")
    TaskInfo task(@PathVariable String id) {
        TaskId taskId;
        try {
            taskId = TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
        }
        return orchestrator.find(taskId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no live or recent task " + id));
    }
}
