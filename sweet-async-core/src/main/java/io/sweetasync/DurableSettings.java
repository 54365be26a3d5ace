package io.sweetasync;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The timeout and retry policy a durable task was submitted with, as the text its stored invocation keeps
 * ({@code DurableRecord.settings}), so that a re-run after a crash, a hand-over or a placement on another
 * member runs under them instead of the running member's defaults.
 *
 * <p>The text is one line per setting given ({@code timeout=PT30S}, {@code retry=...}); a setting the builder
 * did not give is left out and takes the running member's default. A retry policy is written whole, rules
 * and filters included (a {@link RetryPolicy} is sealed: a back-off or rules, nothing else):
 * <pre>
 * policy := "B(" retries "," exponential(0|1) "," initial "," max "," jitter "," types "," types "," rules ")"
 *         | "R(" rules ")"
 * types  := "[" (class-name (";" class-name)*)? "]"          retryOn, then abortOn
 * rules  := "[" (class-name ">" policy (";" ...)*)? "]"
 * </pre>
 * with durations in ISO-8601 ({@link Duration#toString()}). Class names are loaded where the task runs again;
 * a name that member cannot load makes the whole text unreadable ({@link #apply} throws), so the caller can
 * fall back to the defaults and say so, rather than run under a policy missing one of its types.
 *
 * <h2>Invariants</h2>
 * {@code read(write(t, r))} gives back a timeout equal to {@code t} and a policy that answers every
 * {@code nextDelay} as {@code r} does; the text is at most {@link #MAX_LENGTH} characters (longer is refused
 * at submission, naming the task).
 */
final class DurableSettings {

    /** The most characters a stored invocation keeps for its settings. */
    static final int MAX_LENGTH = 4000;

    private static final String TIMEOUT = "timeout=";
    private static final String RETRY = "retry=";

    private DurableSettings() {
    }

    /**
     * The text for {@code timeout} and {@code retry} (either may be null: not given); null if neither is.
     *
     * @throws IllegalArgumentException if the text would be longer than {@link #MAX_LENGTH}
     */
    static String write(String task, Duration timeout, RetryPolicy retry) {
        if (timeout == null && retry == null) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        if (timeout != null) {
            text.append(TIMEOUT).append(timeout).append('\n');
        }
        if (retry != null) {
            text.append(RETRY);
            policy(text, retry);
            text.append('\n');
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the timeout and retry policy of durable task '" + task + "' take "
                    + text.length() + " characters as stored, more than the " + MAX_LENGTH + " a store keeps: "
                    + retry);
        }
        return text.toString();
    }

    /**
     * {@code spec} with the settings in {@code text} (null: unchanged), class names loaded by {@code loader}.
     *
     * @throws IllegalArgumentException if the text cannot be read, or names a class {@code loader} cannot load
     */
    static <T> TaskSpec<T> apply(TaskSpec<T> spec, String text, ClassLoader loader) {
        if (text == null || text.isEmpty()) {
            return spec;
        }
        TaskSpec<T> applied = spec;
        for (String line : text.split("\n")) {
            if (line.startsWith(TIMEOUT)) {
                applied = applied.withTimeout(duration(line.substring(TIMEOUT.length())));
            }
            else if (line.startsWith(RETRY)) {
                Reader reader = new Reader(line, RETRY.length(), loader);
                RetryPolicy policy = reader.policy();
                reader.end();
                applied = applied.withRetry(policy);
            }
            else if (!line.isEmpty()) {
                throw new IllegalArgumentException("unknown setting '" + line + "'");
            }
        }
        return applied;
    }

    /**
     * Where a re-run loads the classes its policy names: {@code preferred} (the context loader of the thread
     * that registered the handler) if there is one, else the first of {@code types}' loaders that is not the
     * bootstrap's (the handler's class and its argument type), else this library's.
     */
    static ClassLoader loaderOf(ClassLoader preferred, Class<?>... types) {
        if (preferred != null) {
            return preferred;
        }
        for (Class<?> type : types) {
            if (type.getClassLoader() != null) {
                return type.getClassLoader();
            }
        }
        return DurableSettings.class.getClassLoader();
    }

    private static void policy(StringBuilder text, RetryPolicy policy) {
        if (policy instanceof RetryPolicy.Rules rules) {
            text.append("R(");
            rules(text, rules.rules());
            text.append(')');
            return;
        }
        RetryPolicy.Backoff backoff = (RetryPolicy.Backoff) policy;
        text.append("B(").append(backoff.ownRetries()).append(',').append(backoff.exponential() ? 1 : 0).append(',')
                .append(backoff.initialDelay()).append(',').append(backoff.maxDelay()).append(',')
                .append(backoff.jitter()).append(',');
        types(text, backoff.retryOnTypes());
        text.append(',');
        types(text, backoff.abortOnTypes());
        text.append(',');
        rules(text, backoff.ownRules());
        text.append(')');
    }

    private static void types(StringBuilder text, Set<Class<? extends Throwable>> types) {
        text.append('[');
        // sorted: the same policy is always the same text
        text.append(String.join(";", types.stream().map(Class::getName).sorted().toList()));
        text.append(']');
    }

    private static void rules(StringBuilder text, List<RetryPolicy.Rule> rules) {
        text.append('[');
        for (int i = 0; i < rules.size(); i++) {
            text.append(i == 0 ? "" : ";").append(rules.get(i).type().getName()).append('>');
            policy(text, rules.get(i).policy());
        }
        text.append(']');
    }

    /** The timeout {@code text} (as {@link #write} wrote it) gives, or null for none or a text it cannot read. */
    static Duration timeoutIn(String text) {
        if (text != null) {
            for (String line : text.split("\n")) {
                if (line.startsWith(TIMEOUT)) {
                    try {
                        return duration(line.substring(TIMEOUT.length()));
                    }
                    catch (IllegalArgumentException unreadable) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static Duration duration(String text) {
        try {
            return Duration.parse(text);
        }
        catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("not a duration: '" + text + "'", ex);
        }
    }

    /** Reads one policy of the grammar above from {@code text}, starting at a position. */
    private static final class Reader {

        private final String text;
        private final ClassLoader loader;
        private int at;

        Reader(String text, int at, ClassLoader loader) {
            this.text = text;
            this.at = at;
            this.loader = loader;
        }

        RetryPolicy policy() {
            if (text.startsWith("R(", at)) {
                at += 2;
                List<RetryPolicy.Rule> rules = rules();
                expect(')');
                if (rules.isEmpty()) {
                    throw bad("rules without a rule");
                }
                RetryPolicy.Rules policy = RetryPolicy.when(rules.get(0).type(), rules.get(0).policy());
                for (RetryPolicy.Rule rule : rules.subList(1, rules.size())) {
                    policy = policy.when(rule.type(), rule.policy());
                }
                return policy;
            }
            if (!text.startsWith("B(", at)) {
                throw bad("expected B( or R(");
            }
            at += 2;
            int retries = Integer.parseInt(until(','));
            boolean exponential = "1".equals(until(','));
            Duration initial = duration(until(','));
            Duration max = duration(until(','));
            double jitter = Double.parseDouble(until(','));
            List<Class<? extends Throwable>> retryOn = types();
            expect(',');
            List<Class<? extends Throwable>> abortOn = types();
            expect(',');
            List<RetryPolicy.Rule> rules = rules();
            expect(')');
            RetryPolicy.Backoff policy = exponential ? RetryPolicy.exponential(retries, initial, max)
                    : RetryPolicy.fixed(retries, initial);
            if (jitter > 0) {
                policy = policy.withJitter(jitter);
            }
            if (!retryOn.isEmpty()) {
                policy = policy.retryOn(array(retryOn));
            }
            if (!abortOn.isEmpty()) {
                policy = policy.abortOn(array(abortOn));
            }
            for (RetryPolicy.Rule rule : rules) {
                policy = policy.when(rule.type(), rule.policy());
            }
            return policy;
        }

        void end() {
            if (at != text.length()) {
                throw bad("unexpected text after the policy");
            }
        }

        private List<Class<? extends Throwable>> types() {
            expect('[');
            List<Class<? extends Throwable>> types = new ArrayList<>();
            while (!text.startsWith("]", at)) {
                if (!types.isEmpty()) {
                    expect(';');
                }
                types.add(type(name(";]")));
            }
            at++;
            return types;
        }

        private List<RetryPolicy.Rule> rules() {
            expect('[');
            List<RetryPolicy.Rule> rules = new ArrayList<>();
            while (!text.startsWith("]", at)) {
                if (!rules.isEmpty()) {
                    expect(';');
                }
                Class<? extends Throwable> type = type(name(">"));
                expect('>');
                rules.add(new RetryPolicy.Rule(type, policy()));
            }
            at++;
            return rules;
        }

        private String name(String ends) {
            int start = at;
            while (at < text.length() && ends.indexOf(text.charAt(at)) < 0) {
                at++;
            }
            if (at == text.length() || at == start) {
                throw bad("expected a class name");
            }
            return text.substring(start, at);
        }

        private Class<? extends Throwable> type(String name) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            }
            catch (ClassNotFoundException | LinkageError ex) {
                throw new IllegalArgumentException("class " + name + " cannot be loaded here", ex);
            }
            if (!Throwable.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("class " + name + " is not a Throwable");
            }
            return type.asSubclass(Throwable.class);
        }

        private String until(char end) {
            int found = text.indexOf(end, at);
            if (found < 0) {
                throw bad("expected '" + end + "'");
            }
            String part = text.substring(at, found);
            at = found + 1;
            return part;
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw bad("expected '" + c + "'");
            }
            at++;
        }

        private IllegalArgumentException bad(String why) {
            return new IllegalArgumentException(why + " at " + at + " of '" + text + "'");
        }

        @SuppressWarnings("unchecked")
        private static Class<? extends Throwable>[] array(List<Class<? extends Throwable>> types) {
            return types.toArray(new Class[0]);
        }
    }
}
