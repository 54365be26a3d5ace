package io.sweetasync.jdbc;

import io.sweetasync.internal.Names;
import io.sweetasync.spi.TaskRecord;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Text columns: bounded lengths, and tags as {@code key=value&key=value} with the separators escaped. */
final class Texts {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());
    private static final int WARNED_NAMES = 100;
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private Texts() {
    }

    /**
     * {@code text} without NUL characters (PostgreSQL refuses them in text), at most {@code max} long; cut between
     * characters, never between the two halves of a surrogate pair (a lone half has no UTF-8 form: PostgreSQL
     * stored it as '?').
     */
    static String cut(String text, int max) {
        String clean = clean(text);
        if (clean == null || clean.length() <= max) {
            return clean;
        }
        return Names.head(clean, max - 1) + "\u2026";
    }

    /** {@code text} without NUL characters. */
    static String clean(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    }

    /**
     * {@code record}'s tags for a column of {@code max} characters; pairs that do not fit are left out and a
     * warning names them, once per task name (for the first {@value #WARNED_NAMES} names), so a task whose
     * re-run or history lacks a tag can be explained from the log.
     */
    static String tagsColumn(TaskRecord record, int max) {
        if (record.tags().isEmpty()) {
            return null;
        }
        List<String> leftOut = new ArrayList<>(0);
        String text = tags(record.tags(), max, leftOut);
        if (!leftOut.isEmpty() && WARNED.size() < WARNED_NAMES && WARNED.add(record.name())) {
            LOG.log(System.Logger.Level.WARNING, "tags " + leftOut + " of task '" + record.name() + "' (id "
                    + record.id() + ") are left out of its stored record: the store keeps at most " + max
                    + " characters of tags (keys and values with '%', '&', '=', '+' and control characters "
                    + "escaped); a re-run after a crash and the stored history lack them. Warned once per task name.");
        }
        return text;
    }

    /**
     * Tags as {@code key=value&...}, whole pairs only, at most {@code max} characters; pairs beyond are left
     * out, and their keys added to {@code leftOut}. Only what would break the format is escaped ({@code %},
     * {@code &}, {@code =}, {@code +} and control characters, as UTF-8 {@code %XX}): a value in any script takes
     * as many characters as it has (URL-encoding all of it made "é" six characters, so a 1,000-character
     * value of accented text was left out of a 4,000-character column). {@link #tags(String)} reads this and
     * the fully URL-encoded text of older records alike.
     */
    static String tags(Map<String, String> tags, int max, List<String> leftOut) {
        if (tags.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String pair = escape(tag.getKey()) + "=" + escape(tag.getValue());
            if (text.length() + pair.length() + 1 > max) {
                leftOut.add(tag.getKey());
                continue;
            }
            text.append(text.isEmpty() ? "" : "&").append(pair);
        }
        return text.isEmpty() ? null : text.toString();
    }

    private static String escape(String text) {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean special = c == '%' || c == '&' || c == '=' || c == '+' || Character.isISOControl(c);
            if (special && escaped == null) {
                escaped = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (special) {
                for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    escaped.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
            else if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    static Map<String, String> tags(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return tags;
        }
        for (String pair : text.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                try {
                    tags.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
                catch (IllegalArgumentException ex) {
                    // a damaged pair (an older record cut mid-escape) is left out, the rest stays readable
                }
            }
        }
        return tags;
    }
}
