package io.sweetasync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** {@link Names#head}: the cut the store's columns and the endpoints share. */
class NamesHeadTest {

    private static final String SMILE = "\uD83D\uDE00";

    @Test
    void neverEndsInHalfASurrogatePair() {
        assertThat(Names.head("ab" + SMILE, 3)).isEqualTo("ab");
        assertThat(Names.head("ab" + SMILE + "c", 4)).isEqualTo("ab" + SMILE);
        assertThat(Names.head(SMILE, 1)).isEmpty();
        for (int max = 0; max <= 12; max++) {
            String head = Names.head((SMILE + "x").repeat(4), max);
            assertThat(head.length()).as("max %d", max).isLessThanOrEqualTo(max);
            assertThat(head.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c <= 0xFFFF))
                    .as("no lone half in %s", head).isTrue();
        }
    }

    @Test
    void aShortTextIsItselfAndZeroOrANegativeBoundIsAnsweredPlainly() {
        String text = "short";
        assertThat(Names.head(text, 5)).isSameAs(text);
        assertThat(Names.head(text, Integer.MAX_VALUE)).isSameAs(text);
        assertThat(Names.head(text, 0)).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> Names.head(text, -1))
                .withMessage("max must not be negative, was -1");
    }
}
