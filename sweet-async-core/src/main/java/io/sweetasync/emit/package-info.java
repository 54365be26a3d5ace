/**
 * Streaming pipelines: {@code AsyncTask.emits(Type.class).sender(...).receiver(...)}. A sender emits
 * into a bounded buffer (backpressure: {@code emit} blocks while it is full); receivers take each event
 * exactly once and collect keyed results; the {@link io.sweetasync.emit.FinalEvent} is produced exactly
 * once after every worker has finished. The pipeline is a task; its workers are its children. Its
 * results are also a {@link java.util.concurrent.Flow.Publisher} that keeps the Reactive Streams rules
 * and ends exactly once, with the pipeline task's outcome.
 */
package io.sweetasync.emit;
