package io.sweetasync.spi;

/**
 * Turns durable task arguments and results into text a {@link TaskStore} keeps, and back.
 * {@code io.sweetasync.jdbc.JsonDurableCodec} uses Jackson; the starter uses the application's mapper.
 * The text must have a UTF-8 form (no unpaired surrogates; for PostgreSQL no NUL characters either): stores
 * keep UTF-8, and a re-run or a reader gets back what the store kept. A result is encoded on the store's
 * thread: what that throws, {@link Error}s included, costs that result only (the task's end is stored
 * without it).
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
