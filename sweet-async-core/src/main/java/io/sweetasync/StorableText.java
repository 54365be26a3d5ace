package io.sweetasync;

/**
 * Whether a durable argument or result, as its codec encoded it, is text a store keeps as it is (see
 * {@link io.sweetasync.spi.DurableCodec}): no NUL character (PostgreSQL refuses it; the JDBC store takes it out of a
 * result) and no unpaired surrogate (it has no UTF-8 form: stored as {@code '?'}). Such text kept was a different
 * value read back, silently: a re-run got another argument, {@code storedResult} another result.
 */
final class StorableText {

    private StorableText() {
    }

    /** Why {@code text} cannot be stored as it is, or null if it can (null text included). */
    static String why(String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "a NUL character at " + i;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return "an unpaired surrogate at " + i + " (no UTF-8 form)";
            }
        }
        return null;
    }
}
