package io.sweetasync.spi;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Objects;

/**
 * Turns durable task arguments and results into text a {@link TaskStore} keeps, and back.
 * {@code io.sweetasync.jdbc.JsonDurableCodec} uses Jackson; the starter uses the application's mapper.
 * The text must have a UTF-8 form (no unpaired surrogates; for PostgreSQL no NUL characters either): stores
 * keep UTF-8, and a re-run or a reader gets back what the store kept. Text that breaks this is never stored
 * altered: such an argument is refused at {@code run()}, such a result is not kept (a warning names the task). A
 * result is encoded on the store's thread: what that throws, {@link Error}s included, costs that result only (the
 * task's end is stored without it).
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

    /**
     * Decodes {@code text} into a {@code type} that may be generic ({@code List<Invoice>}): what the Spring Boot
     * starter asks for a durable method's parameters, so that a list's elements come back as their type. By default,
     * as {@link #decode(String, Class)} with the type's class ({@code List}): a codec that knows generic types
     * (as {@code JsonDurableCodec} does) overrides it.
     *
     * <pre>{@code
     * Type invoices = Batches.class.getMethod("total", List.class).getGenericParameterTypes()[0];
     * List<Invoice> batch = (List<Invoice>) codec.decode(text, invoices);
     * }</pre>
     *
     * @throws IllegalArgumentException if it cannot
     */
    default Object decode(String text, Type type) {
        return decode(text, rawClass(type));
    }

    /** The class of {@code type}: itself, a parameterized type's raw class, a variable's or wildcard's first bound's. */
    private static Class<?> rawClass(Type type) {
        Objects.requireNonNull(type, "type");
        return switch (type) {
            case Class<?> plain -> plain;
            case ParameterizedType parameterized -> rawClass(parameterized.getRawType());
            case GenericArrayType array -> rawClass(array.getGenericComponentType()).arrayType();
            case TypeVariable<?> variable -> rawClass(variable.getBounds()[0]);
            case WildcardType wildcard -> rawClass(wildcard.getUpperBounds()[0]);
            default -> throw new IllegalArgumentException("cannot decode into a " + type.getTypeName()
                    + ": not a class, parameterized type, array, type variable or wildcard");
        };
    }
}
