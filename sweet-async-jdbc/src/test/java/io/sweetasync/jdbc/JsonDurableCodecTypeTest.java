package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JsonDurableCodec} decodes into generic types whole: a list's elements come back as their type. */
class JsonDurableCodecTypeTest {

    record Invoice(String customer, int cents) {
    }

    @SuppressWarnings("unused")
    private static void batch(List<Invoice> invoices, Map<String, List<Invoice>> byCustomer) {
    }

    private static Type[] types() throws NoSuchMethodException {
        return JsonDurableCodecTypeTest.class.getDeclaredMethod("batch", List.class, Map.class).getGenericParameterTypes();
    }

    @Test
    void aListOfRecordsComesBackAsRecords() throws Exception {
        JsonDurableCodec codec = new JsonDurableCodec();
        List<Invoice> invoices = List.of(new Invoice("acme", 250), new Invoice("globex", 100));
        Object decoded = codec.decode(codec.encode(invoices), types()[0]);
        assertThat(decoded).isEqualTo(invoices);
        Object nested = codec.decode(codec.encode(Map.of("acme", invoices)), types()[1]);
        assertThat(nested).isEqualTo(Map.of("acme", invoices));
    }

    @Test
    void badTextNamesTheGenericType() throws Exception {
        JsonDurableCodec codec = new JsonDurableCodec();
        assertThatThrownBy(() -> codec.decode("{not json", types()[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.List<io.sweetasync.jdbc.JsonDurableCodecTypeTest$Invoice>");
        assertThatThrownBy(() -> codec.decode("[]", (Type) null)).isInstanceOf(NullPointerException.class);
    }
}
