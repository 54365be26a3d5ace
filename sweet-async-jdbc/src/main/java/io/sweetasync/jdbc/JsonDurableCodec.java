package io.sweetasync.jdbc;

import io.sweetasync.internal.Names;
import io.sweetasync.spi.DurableCodec;
import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable task arguments and results as JSON, with Jackson ({@code tools.jackson.core:jackson-databind}).
 * Records, beans, collections and the java.time types encode as Jackson encodes them; a value Jackson
 * cannot encode (no properties, a cycle, a lambda) fails {@link #encode} with the reason, so a durable
 * task with such an argument is refused at {@code run()}.
 *
 * <p>Text with an unpaired surrogate (half of a UTF-16 pair, e.g. a string cut between the two halves of
 * an emoji) is encoded with every non-ASCII character as a JSON escape (backslash, {@code u}, four hex
 * digits): databases keep text as UTF-8, where such a character has no form and is stored as {@code ?}, so
 * a re-run would get another argument and a reader another result. Other text is encoded as the mapper
 * writes it.
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
            String json = mapper.writeValueAsString(value);
            return Names.unpairedSurrogate(json) < 0 ? json : mapper.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII)
                    .writeValueAsString(value);
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

    /** As {@link #decode(String, Class)}, into a generic type: a {@code List<Invoice>}'s elements as invoices. */
    @Override
    public Object decode(String text, Type type) {
        try {
            return mapper.readValue(text, mapper.getTypeFactory().constructType(Objects.requireNonNull(type, "type")));
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("cannot decode JSON as a " + type.getTypeName() + ": "
                    + ex.getOriginalMessage(), ex);
        }
    }
}
