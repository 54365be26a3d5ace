/**
 * Actuator endpoints: {@code asynctasks} (task trees, cancel) and {@code asynclimits} (limiters).
 *
 * <p>{@code asynctasks}: {@code AsyncTasksEndpoint} (the operations, the live trees here and across the
 * cluster) and {@code AsyncTasksEndpointWebExtension} (its HTTP face); package-private:
 * {@code AsyncTasksParameters} (every parameter read and checked, a 400 naming a bad one),
 * {@code AsyncTasksHistory} (the failed list and the history page, from the store or memory),
 * {@code BoundedTrees} (trees cut to a shape without recursion); its JSON: {@code TaskDescriptor},
 * {@code ClusterTaskDescriptor}.
 */
package io.sweetasync.boot.actuate;
