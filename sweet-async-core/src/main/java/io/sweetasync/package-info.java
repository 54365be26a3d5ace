/**
 * Sweet Async: fluent, immutable builders for asynchronous tasks ({@link io.sweetasync.AsyncTask}),
 * task trees with structured cancellation ({@link io.sweetasync.TaskContext}), retries, timeouts that
 * interrupt, priorities and runtimes, run by a {@link io.sweetasync.TaskOrchestrator} that keeps every
 * live task visible.
 *
 * <p>Promises: every task reaches exactly one terminal {@link io.sweetasync.TaskStatus}, even when
 * completion, cancellation and timeout race; a task is terminal only after its body has returned and
 * its children are terminal; finished tasks leave the live registry.
 */
package io.sweetasync;
