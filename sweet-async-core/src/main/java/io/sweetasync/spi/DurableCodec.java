package io.sweetasync.spi;

/**
 * Turns durable task arguments and results into text a {@link TaskStore} keeps, and back.
 * {@code io.sweetasync.jdbc.JsonDurableCodec} uses Jackson; the starter uses the application's mapper.
 * A result is encoded on the store's thread: what that throws, {@link Error}s included, costs that result
 * only (the task's end is stored without it).
 *
 * <pre>{@code
 * TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec()).build();
 * }</pre>
 */
public interface DurableCodec {

    /**
     * Encodes {@code value}.
     *
     * @throws IllegalArgumentException if it cannot be encoded (the message says why)
     */
    String encode(Object value);

    /**
     * Decodes {@code text} into a {@code type}.
     *
     * @throws IllegalArgumentException if it cannot
     */
    <T> T decode(String text, Class<T> type);
}
