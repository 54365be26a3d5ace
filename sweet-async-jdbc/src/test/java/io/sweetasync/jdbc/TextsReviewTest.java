package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Review of the minimal escaping of tags: every string comes back as it was, old records read the same. */
class TextsReviewTest {

    private static final String[] TRICKY = {
        "%41", "%", "%%", "%zz", "%C3%A9", "+", "a+b", " ", "a b", "&", "=", "==&&", "\0", "\u0085", "\u009F",
        "\u007F", "\t\r\n", "😀", "a😀b", "\uD83D", "\uDE00", "x\uD83Dy", "é", "日本語", "\u2028", "\uFEFF", "\uFFFF",
        "key=value&other=thing", "%2B", "%26", "%3D", "%25", "100%"};

    @Test
    void trickyValuesAndKeysComeBackAsTheyWere() {
        for (String value : TRICKY) {
            for (String key : new String[] {"k", value}) {
                if (key.isEmpty()) {
                    continue;
                }
                Map<String, String> tags = new LinkedHashMap<>();
                tags.put(key, value);
                tags.put("after", "x");
                String text = Texts.tags(tags, 4000, new ArrayList<>());
                assertThat(Texts.tags(text)).as("%s=%s as %s", escapeJava(key), escapeJava(value), text)
                        .isEqualTo(tags);
            }
        }
    }

    @Test
    void randomStringsOfAnyCharactersComeBackAsTheyWere() {
        Random random = new Random(42);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder key = new StringBuilder().append('k');
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                int pick = random.nextInt(4);
                char c = switch (pick) {
                    case 0 -> "%&=+ \0".charAt(random.nextInt(6));
                    case 1 -> (char) random.nextInt(0x100);
                    case 2 -> "0123456789ABCDEFabcdef".charAt(random.nextInt(22));
                    default -> (char) random.nextInt(Character.MAX_VALUE + 1);
                };
                value.append(c);
                key.append(random.nextInt(3) == 0 ? c : 'x');
            }
            Map<String, String> tags = Map.of(key.toString(), value.toString());
            String text = Texts.tags(tags, 4000, new ArrayList<>());
            assertThat(Texts.tags(text)).as("%s=%s", escapeJava(key.toString()), escapeJava(value.toString()))
                    .isEqualTo(tags);
        }
    }

    /**
     * A text cut to its column (a failure message to 2,000 characters, a name to 200) is cut between characters, never
     * between the two halves of a surrogate pair: a lone half has no UTF-8 form, and PostgreSQL stored it as '?'.
     * Failed before the fix (the cut kept the high half of an emoji that straddled the limit).
     */
    @Test
    void aCutTextNeverEndsInHalfASurrogatePair() {
        for (int at = 1995; at <= 2001; at++) {
            String text = "a".repeat(at) + "\uD83D\uDE00".repeat(3);
            String cut = Texts.cut(text, 2000);
            assertThat(cut.length()).as("cut at %d", at).isLessThanOrEqualTo(2000);
            assertThat(cut.codePoints().noneMatch(c -> Character.isSurrogate((char) c)) && cut.endsWith("\u2026"))
                    .as("cut at %d: %s", at, escapeJava(cut.substring(cut.length() - 4))).isTrue();
        }
    }

    @Test
    void olderFullyUrlEncodedRecordsReadTheSame() {
        for (String value : TRICKY) {
            if (value.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                continue; // URL-encoding could never keep a lone surrogate
            }
            String old = "k=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
            assertThat(Texts.tags(old)).as(escapeJava(value)).containsEntry("k", value);
        }
    }

    private static String escapeJava(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
