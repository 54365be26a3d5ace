package io.sweetasync;

import io.sweetasync.internal.Names;

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
        int nul = text.indexOf('\0');
        int half = Names.unpairedSurrogate(text);
        if (nul >= 0 && (half < 0 || nul < half)) { // the first of the two, as the text reads
            return "a NUL character at " + nul;
        }
        if (half >= 0) {
            return "an unpaired surrogate at " + half + " (no UTF-8 form)";
        }
        return null;
    }
}
