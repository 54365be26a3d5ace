package io.sweetasync.hostile;

/**
 * Throws a checked exception from a method that declares none, as code in a language without checked exceptions
 * (Kotlin, Scala, Lombok's {@code @SneakyThrows}) may: for tests of the engine's catches around user code.
 *
 * <pre>{@code
 * throw Sneaky.sneaky(new IOException("the clock's cancel failed"));
 * }</pre>
 */
public final class Sneaky {

    private Sneaky() {
    }

    /** Throws {@code t} unchecked; declared to return so that a caller can write {@code throw sneaky(t)}. */
    @SuppressWarnings("unchecked")
    public static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
        throw (X) t;
    }
}
