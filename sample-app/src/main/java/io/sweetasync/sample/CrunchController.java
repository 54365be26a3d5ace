package io.sweetasync.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /crunch?tasks=12&millis=500}: runs the tasks at once, each on the least loaded member, and answers
 * how many each member ran.
 */
@RestController
class CrunchController {

    private static final int MAX_TASKS = 1000;

    private final CrunchService crunch;

    CrunchController(CrunchService crunch) {
        this.crunch = crunch;
    }

    /** {@code POST /crunch/start?tasks=6&millis=60000}: starts the tasks and answers their ids at once. */
    @PostMapping("/crunch/start")
    Map<String, List<String>> start(@RequestParam(defaultValue = "6") int tasks,
            @RequestParam(defaultValue = "60000") long millis) {
        check(tasks, millis);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            ids.add(crunch.start(millis).toString());
        }
        return Map.of("taskIds", ids);
    }

    private static void check(int tasks, long millis) {
        if (tasks < 1 || tasks > MAX_TASKS || millis < 0 || millis > 3_600_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tasks must be 1 to " + MAX_TASKS
                    + " and millis 0 to 3600000");
        }
    }

    @PostMapping("/crunch")
    Map<String, Integer> crunch(@RequestParam(defaultValue = "12") int tasks,
            @RequestParam(defaultValue = "500") long millis) {
        check(tasks, millis);
        List<CompletableFuture<String>> running = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            running.add(crunch.crunch(millis));
        }
        Map<String, Integer> perMember = new TreeMap<>();
        for (CompletableFuture<String> task : running) {
            perMember.merge(task.join(), 1, Integer::sum);
        }
        return perMember;
    }
}
