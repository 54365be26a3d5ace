package io.sweetasync.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DurableCodec#decode(String, Type)}'s default: a codec that knows only classes gets the type's class. */
class DurableCodecTypeTest {

    /** Records the class each decode was asked for. */
    private static final class ClassOnly implements DurableCodec {
        final List<Class<?>> asked = new ArrayList<>();

        @Override
        public String encode(Object value) {
            return String.valueOf(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            asked.add(type);
            return null;
        }
    }

    @SuppressWarnings("unused")
    private static <E extends Number> void shapes(List<String> list, E variable, List<? extends CharSequence> wildcard,
            List<String>[] arrayOfLists, Map<String, List<Integer>> nested) {
    }

    private static Type[] shapes() throws NoSuchMethodException {
        return DurableCodecTypeTest.class.getDeclaredMethod("shapes", List.class, Number.class, List.class, List[].class,
                Map.class).getGenericParameterTypes();
    }

    @Test
    void eachKindOfTypeIsDecodedAsItsClass() throws Exception {
        ClassOnly codec = new ClassOnly();
        Type[] types = shapes();
        for (Type type : types) {
            codec.decode("x", type);
        }
        codec.decode("x", (Type) String.class);
        Type wildcardItself = ((java.lang.reflect.ParameterizedType) types[2]).getActualTypeArguments()[0];
        codec.decode("x", wildcardItself);
        assertThat(codec.asked).containsExactly(List.class, Number.class, List.class, List[].class, Map.class,
                String.class, CharSequence.class);
    }

    @Test
    void aNullTypeIsRefusedByName() {
        assertThatThrownBy(() -> new ClassOnly().decode("x", (Type) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("type");
    }

    @Test
    void aTypeOfNoKnownKindIsRefusedNamingIt() {
        Type odd = new Type() {
            @Override
            public String getTypeName() {
                return "OddType";
            }
        };
        assertThatThrownBy(() -> new ClassOnly().decode("x", odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OddType");
    }
}
