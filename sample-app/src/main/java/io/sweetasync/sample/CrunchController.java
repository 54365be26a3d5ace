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

/** {@code POST /crunch?tasks=12&millis=500}: runs the tasks at once and answers how many each member ran. */
@RestController
class CrunchController {

    private static final int MAX_TASKS = 1000;

    private final CrunchService crunch;

    CrunchController(CrunchService crunch) {
        this.crunch = crunch;
    }

    @PostMapping("/crunch")
    Map<String, Integer> crunch(@RequestParam(defaultValue = "12") int tasks,
            @RequestParam(defaultValue = "500") long millis) {
        if (tasks < 1 || tasks > MAX_TASKS || millis < 0 || millis > 60_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tasks must be 1 to " + MAX_TASKS
                    + " and millis 0 to 60000");
        }
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
