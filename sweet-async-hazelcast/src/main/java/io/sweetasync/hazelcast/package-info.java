/**
 * The cluster on Hazelcast Community Edition: {@link io.sweetasync.hazelcast.HazelcastTaskCluster} makes an
 * orchestrator a member of a cluster of embedded Hazelcast members. Tasks built with
 * {@code anywhere()} run on the least loaded member, every member's live trees and groups can be read
 * from any member, and a task can be cancelled by id wherever it runs. Uses the member's
 * {@code IExecutorService} {@code "sweet-async"}, the replicated map {@code "sweet-async-loads"} and the
 * map {@code "sweet-async-ids"}; never the CP subsystem (Enterprise-only).
 */
package io.sweetasync.hazelcast;
