/**
 * Sweet Async: fluent, immutable builders for asynchronous tasks ({@link io.sweetasync.AsyncTask}),
 * task trees with structured cancellation ({@link io.sweetasync.TaskContext}), retries, timeouts that
 * interrupt, priorities and runtimes, run by a {@link io.sweetasync.TaskOrchestrator} that keeps every
 * live task visible.
 *
 * <p>Promises: every task reaches exactly one terminal {@link io.sweetasync.TaskStatus}, even when
 * completion, cancellation and timeout race; a task is terminal only after its body has returned and
 * its children are terminal; finished tasks leave the live registry.
 *
 * <h2>API and engine in one package, apart by visibility</h2>
 * Every {@code public} type here is API (builders, handles, snapshots, exceptions, the orchestrator, the
 * runtimes); every package-private type is engine, invisible to users, and free to change. They share
 * the package because the API's few entry points reach deep into the engine ({@code TaskOrchestrator}
 * creates and finishes {@code TaskNode}s; {@code TaskRuntime} schedules them) and Java has no friend
 * packages: an engine package would have to make its classes and methods {@code public}, that is API.
 * Where another of the library's packages must reach the engine (a pipeline's receive lending its permit
 * for a wait), a small bridge in {@code io.sweetasync.internal} does, outside the published API.
 * The engine's classes, one job each:
 * <ul>
 *   <li>a task, one object per task in layers, each extending the one before: {@code TaskFacts} (identity,
 *   settings, progress; {@code TaskSnapshots} reads it and the figures into snapshots, {@code Occasional}
 *   holds what only some tasks need), {@code TaskFigures} (attempts, times, queue wait and run time, each
 *   pair read whole through a {@code Seqlock}, resource figures), {@code TaskEnding} (the stop request,
 *   the status, the one finish that decides the terminal status; the context it runs in; a request is a
 *   {@code Stop} of a {@code StopKind}, the error of an end that did not complete is {@code EndErrors}'),
 *   {@code TaskChildren} (what it waits for: the body's and children's shares, the children list, the walk
 *   up the tree; {@code ChildList} is the list, and how long it keeps the children), {@code TaskDeadline} (the deadline: the stop, the grace, the forced end whose running
 *   bodies are runaways), {@code TaskSubmission} (queueing an attempt: the group's permit, the runtime, the
 *   clock), {@code TaskAttempts} (its body: attempts, retries, stopping the body),
 *   {@code TaskNode} (the handle users hold); {@code TaskSettings} (what it was created with, resolved,
 *   shared by siblings built alike); {@code TaskOutcome} (its outcome and the waits on it),
 *   {@code TaskTrees} (walks over a subtree), {@code PropagatedContext}, {@code TaskProgress},
 *   {@code ResourceMeter};</li>
 *   <li>the orchestrator's parts ({@code TaskOrchestrator} keeps the public methods, its {@code Builder} the
 *   build; {@code OrchestratorSettingsBuilder} holds and checks what the builder is told, {@code
 *   OrchestratorParts} makes these from it in order, starts and closes them, and is what the engine's classes
 *   reach): {@code TaskFactory} (makes, registers and submits a task), {@code LiveTasks} (registry of live trees,
 *   drain), {@code FinishedTasks} (where a finished task goes: registry, history, listeners, late
 *   figures), {@code TaskHistory} (with {@code FinishedRoot}: a childless root's facts, its snapshot built
 *   when read), {@code TaskListeners}, {@code Runaways}, {@code Runtimes} (runtimes by
 *   name), {@code LimiterGroups} (a limiter per group), {@code UsageByName} and {@code UsageTotals}
 *   (resource totals per name), {@code WallClockAnchor} (instants of monotonic times), {@code Shutdown}
 *   (admission, grace, cancelling the rest, close), {@code GlobalOrchestrator} (the process-wide one),
 *   {@code TaskSpec} (what a builder was told), {@code NodeContext};</li>
 *   <li>running: {@code Carrier} (which body a thread runs, where interrupts go; {@code ThreadCarrier}, a
 *   platform thread's, with its pool and measured totals), {@code VirtualCarriers}
 *   (the {@code VIRTUAL} runtime's carriers by thread), {@code VirtualRuntime},
 *   {@code PooledRuntime} (with its {@code RunQueue}: priority, then FIFO, withdrawn attempts; and its
 *   {@code PoolCounts}: threads, slots, waits, runaways, and the invariant that spares compensate the blocked
 *   and stuck), {@code ExecutorRuntime}, {@code Trampoline}, {@code SystemClock};</li>
 *   <li>resources: {@code ResourceAttribution}, {@code SliceTimeline}, {@code SliceLedger},
 *   {@code SampledFigures}, {@code FigureUpdates};</li>
 *   <li>durable state and the cluster: {@code StoreAndCluster} (the orchestrator's ties to both, the
 *   incarnation), {@code Durables} (the handlers, and its parts: {@code DurableSubmission},
 *   {@code DurableReruns} of claimed invocations, {@code DurableStarts}, {@code DurablesPlacedHere},
 *   {@code DurableEnds}), {@code PlacedDurables} (with each placed task's {@code DurableMirror}),
 *   {@code OwnedDurables}, {@code StoreSync} (what is tracked, the two threads) with its {@code StoreWriter}
 *   (and its {@code RowByRow}) and {@code LeaseKeeper}, {@code StoredTasks},
 *   {@code StoreSettings}, {@code Doubts}, {@code ClusterPlacement}, {@code Incarnations} (a store member's
 *   incarnation made unique in the cluster).</li>
 * </ul>
 */
package io.sweetasync;
