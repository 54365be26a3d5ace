package io.sweetasync.boot.observation;

import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;

/**
 * Whether a subclass of one of the starter's public propagators overrides {@code capture(TaskInfo)}, the one method
 * they had before {@link ContextPropagator#captureLazily}: the engine calls {@code captureLazily}, which such a
 * subclass's override must still be reached through (it did all the capturing before), as the SPI's default does.
 */
final class CaptureOverride {

    private CaptureOverride() {
    }

    /** Whether {@code type}'s {@code capture(TaskInfo)} is another than {@code base}'s own. */
    static boolean of(Class<?> type, Class<? extends ContextPropagator> base) {
        try {
            return type.getMethod("capture", TaskInfo.class).getDeclaringClass() != base;
        }
        catch (NoSuchMethodException ex) {
            throw new IllegalStateException("a context propagator without capture(TaskInfo): " + type, ex);
        }
    }
}
