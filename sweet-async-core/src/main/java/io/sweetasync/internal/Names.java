package io.sweetasync.internal;

import java.util.Objects;

/**
 * Not API. Names users give, as the engine checks and shows them. {@link #group} is the one check of a
 * concurrency group's name, wherever a user names a group: a task's or a pipeline's {@code group(...)}, the
 * orchestrator builder's {@code group(name, config)} and {@code TaskOrchestrator.limiter(name)}. Each group
 * keeps its limiter for the orchestrator's life and its name is a metric tag and a stored column, so a name
 * that no task could use (" pricing ", a line break, a page of text) is refused where it is given, naming it,
 * rather than making a group of its own. {@link #printable} shows a refused name (a task's, a tag's, a
 * member's...) in the refusal's message. {@link #head} cuts a user's text (a failure message, a name) to a
 * length, for the store's columns and the endpoints alike.
 */
public final class Names {

    /** The longest group name, as a task's. */
    public static final int MAX = 100;

    private Names() {
    }

    /**
     * {@code name} if it is a valid group name; else an exception whose message starts with {@code what}.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if it is blank, longer than {@value #MAX}, starts or ends with white
     *                                  space, or has control characters
     */
    public static String group(String what, String name) {
        Objects.requireNonNull(name, what);
        if (name.isBlank() || name.length() > MAX || !name.strip().equals(name)
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX + " characters, not blank, without white "
                    + "space at its ends or control characters, was '" + printable(name) + "'");
        }
        return name;
    }

    /** {@code text} with its control characters shown as '?', and cut to 200 characters, for a message. */
    public static String printable(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "... (" + text.length() + " characters)" : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * The first {@code max} characters of {@code text} at most, never ending between the two halves of a
     * surrogate pair (a lone half has no UTF-8 form: PostgreSQL stores it as '?', JSON as an escape no font
     * draws): {@code head("ab\uD83D\uDE00", 3)} is {@code "ab"}. {@code text} itself when it is short enough.
     *
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public static String head(String text, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative, was " + max);
        }
        if (text.length() <= max) {
            return text;
        }
        int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    /**
     * Where {@code text}'s first unpaired surrogate is (half of a pair alone has no UTF-8 form: PostgreSQL stores it
     * as '?'), or -1 if every surrogate in it is half of a pair: {@code unpairedSurrogate("a\uD83D")} is 1.
     */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
