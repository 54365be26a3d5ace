package io.sweetasync.jdbc;

import io.sweetasync.spi.DurableCodec;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable task arguments and results as JSON, with Jackson ({@code tools.jackson.core:jackson-databind}).
 * Records, beans, collections and the java.time types encode as Jackson encodes them; a value Jackson
 * cannot encode (no properties, a cycle, a lambda) fails {@link #encode} with the reason, so a durable
 * task with such an argument is refused at {@code run()}.
 *
 * <pre>{@code
 * TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec()).build();
 * }</pre>
 */
public final class JsonDurableCodec implements DurableCodec {

    private final ObjectMapper mapper;

    /**
     * A codec with Jackson's default JSON mapper, except that a value with no properties fails to encode
     * (it would decode to an empty object, its state lost).
     */
    public JsonDurableCodec() {
        this(JsonMapper.builder().enable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build());
    }

    /** A codec with your mapper (e.g. Spring Boot's). */
    public JsonDurableCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String encode(Object value) {
        try {
            return mapper.writeValueAsString(value);
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("cannot encode a " + (value == null ? "null" : value.getClass().getName())
                    + " as JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    @Override
    public <T> T decode(String text, Class<T> type) {
        try {
            return mapper.readValue(text, type);
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("cannot decode JSON as a " + type.getName() + ": " + ex.getOriginalMessage(),
                    ex);
        }
    }
}
