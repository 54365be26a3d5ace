/**
 * Concurrency groups: a {@link io.sweetasync.limit.ConcurrencyLimiter} per group admits work up to a
 * limit that a {@link io.sweetasync.limit.Limit} algorithm moves with observed latency and drops.
 * Promises: never more permits out than the limit at the moment of granting; waiting in priority then
 * FIFO order, bounded in number and time; every permit released exactly once; every rejection carries a
 * {@link io.sweetasync.limit.RejectionReason}; the limit, the counts and the algorithm's state
 * ({@link io.sweetasync.limit.LimitPhase}, baseline, capacity) read without a lock or an allocation. No
 * dependencies.
 */
package io.sweetasync.limit;
