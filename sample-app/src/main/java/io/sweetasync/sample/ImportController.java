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
    private final ReceiptService receipts;

    ImportController(OrderImporter importer, ReportService reports, ReceiptService receipts) {
        this.importer = importer;
        this.reports = reports;
        this.receipts = receipts;
    }

    @PostMapping("/receipts/{orderId}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Started sendReceipt(@PathVariable String orderId,
            @org.springframework.web.bind.annotation.RequestParam(defaultValue = "200") long sendMillis) {
        if (sendMillis < 0 || sendMillis > 600_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "sendMillis must be 0..600000, was " + sendMillis);
        }
        return new Started(receipts.start(orderId, sendMillis).toString());
    }

    @GetMapping("/receipts/{id}")
    ReceiptService.ReceiptStatus receipt(@PathVariable String id) {
        return receipts.status(parse(id))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no receipt task " + id));
    }

    private static TaskId parse(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
        }
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
        return importer.status(parse(id))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no recent import " + id));
    }

    @GetMapping("/reports/customers/{customer}")
    ReportService.CustomerReport report(@PathVariable String customer) throws InterruptedException {
        return reports.report(customer);
    }
}
