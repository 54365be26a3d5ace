package io.sweetasync.sample;

import io.sweetasync.TaskId;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/imports} starts an import of the bundled orders and answers at once with its task id;
 * {@code GET /api/imports/{id}} answers its status and counts; {@code GET /api/reports/customers/{customer}}
 * builds a customer report.
 */
@RestController
@RequestMapping("/api")
class ImportController {

    private final OrderImporter importer;
    private final ReportService reports;

    ImportController(OrderImporter importer, ReportService reports) {
        this.importer = importer;
        this.reports = reports;
    }

    record Started(String taskId) {
    }

    @PostMapping("/imports")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Started start() {
        return new Started(importer.start().toString());
    }

    @GetMapping("/imports/{id}")
    OrderImporter.ImportStatus status(@PathVariable String id) {
        TaskId taskId;
        try {
            taskId = TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
        }
        return importer.status(taskId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no recent import " + id));
    }

    @GetMapping("/reports/customers/{customer}")
    ReportService.CustomerReport report(@PathVariable String customer) throws InterruptedException {
        return reports.report(customer);
    }
}
