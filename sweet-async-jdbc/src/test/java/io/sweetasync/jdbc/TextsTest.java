package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tags column: what fits is kept exactly, what does not is named, older records stay readable. */
class TextsTest {

    @Test
    void everyCharacterTheFormatUsesRoundTrips() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("a&b=c", "x+y 100% & more = less");
        tags.put("line", "one\ntwo\u0000three\u0085");
        tags.put("script", "é日本語\uD83D\uDE00");
        tags.put("empty", "");
        List<String> leftOut = new ArrayList<>();
        String text = Texts.tags(tags, 4000, leftOut);
        assertThat(text).doesNotContain("\n", "\u0000", " & ");
        assertThat(Texts.tags(text)).isEqualTo(tags);
        assertThat(leftOut).isEmpty();
    }

    @Test
    void aValueInAnyScriptTakesAsManyCharactersAsItHas() {
        String accented = "é".repeat(1000);
        String text = Texts.tags(Map.of("note", accented), 4000, new ArrayList<>());
        assertThat(text).hasSize("note=".length() + 1000);
        assertThat(Texts.tags(text)).containsEntry("note", accented);
    }

    @Test
    void pairsThatDoNotFitAreLeftOutWholeAndNamed() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("first", "f".repeat(600));
        tags.put("second", "s".repeat(600));
        tags.put("third", "t");
        List<String> leftOut = new ArrayList<>();
        String text = Texts.tags(tags, 1000, leftOut);
        assertThat(text.length()).isLessThanOrEqualTo(1000);
        assertThat(Texts.tags(text)).containsOnlyKeys("first", "third");
        assertThat(leftOut).containsExactly("second");
    }

    @Test
    void recordsWrittenFullyUrlEncodedByEarlierVersionsReadTheSame() {
        String old = URLEncoder.encode("tenant", StandardCharsets.UTF_8) + "="
                + URLEncoder.encode("acme & sons+é", StandardCharsets.UTF_8);
        assertThat(Texts.tags(old)).containsExactly(Map.entry("tenant", "acme & sons+é"));
    }
}
