package io.sweetasync.jdbc;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Text columns: bounded lengths, and tags as {@code key=value&key=value} with URL encoding. */
final class Texts {

    private Texts() {
    }

    /** {@code text} without NUL characters (PostgreSQL refuses them in text), at most {@code max} long. */
    static String cut(String text, int max) {
        String clean = clean(text);
        return clean == null || clean.length() <= max ? clean : clean.substring(0, max - 1) + "\u2026";
    }

    /** {@code text} without NUL characters. */
    static String clean(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    }

    /** Tags as {@code key=value&...}, whole pairs only, at most {@code max} characters (pairs beyond are left out). */
    static String tags(Map<String, String> tags, int max) {
        if (tags.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String pair = URLEncoder.encode(tag.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(tag.getValue(), StandardCharsets.UTF_8);
            if (text.length() + pair.length() + 1 > max) {
                continue;
            }
            text.append(text.isEmpty() ? "" : "&").append(pair);
        }
        return text.isEmpty() ? null : text.toString();
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
