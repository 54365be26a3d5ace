package io.sweetasync.hazelcast;

import io.sweetasync.spi.DurableCodec;

/** Durable arguments and results that are strings, stored as they are. */
final class TextCodec implements DurableCodec {

    @Override
    public String encode(Object value) {
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("only strings, was " + value.getClass().getName());
        }
        return text;
    }

    @Override
    public <T> T decode(String text, Class<T> type) {
        return type.cast(text);
    }
}
