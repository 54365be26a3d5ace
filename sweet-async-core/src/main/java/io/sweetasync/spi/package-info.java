/**
 * Service-provider interfaces of the engine: what an application or integration may plug in — the
 * clock, context propagation, durable task state ({@link io.sweetasync.spi.TaskStore} with its
 * {@link io.sweetasync.spi.DurableCodec} and {@link io.sweetasync.spi.DurableStartGate}), and a cluster
 * engine ({@link io.sweetasync.spi.TaskCluster}, served through a {@link io.sweetasync.spi.ClusterHost}).
 * Nothing here is needed for ordinary use.
 */
package io.sweetasync.spi;
