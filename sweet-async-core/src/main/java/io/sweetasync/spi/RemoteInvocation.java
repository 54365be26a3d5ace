package io.sweetasync.spi;

import io.sweetasync.TaskPriority;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * A task to run on another member: a registered handler, its argument, and the settings the remote task
 * gets. The engine carries it to that member, so the argument must be something the engine can
 * transport (for Hazelcast: {@link Serializable}, or any type Hazelcast serializes).
 *
 * <pre>{@code
 * new RemoteInvocation("resize", image, "resize", null, TaskPriority.NORMAL, Map.of(), "127.0.0.1:5701/4-17");
 * }</pre>
 *
 * @param handler  the name of a handler registered on every member
 * @param argument its argument, or {@code null}
 * @param name     the remote task's name
 * @param group    its concurrency group on the member that runs it, or {@code null}
 * @param priority its priority
 * @param tags     its tags
 * @param origin   where it was placed from: the placing member and task, {@code member/id}
 */
public record RemoteInvocation(String handler, Object argument, String name, String group, TaskPriority priority,
        Map<String, String> tags, String origin) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public RemoteInvocation {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(origin, "origin");
        tags = Map.copyOf(tags);
    }
}
