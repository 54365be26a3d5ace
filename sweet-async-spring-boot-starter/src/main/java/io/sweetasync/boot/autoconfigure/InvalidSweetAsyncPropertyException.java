package io.sweetasync.boot.autoconfigure;

/**
 * A {@code sweet.async.*} property whose value cannot work; reported at start-up by
 * {@link SweetAsyncPropertyFailureAnalyzer} with the property, the value and the fix.
 */
public class InvalidSweetAsyncPropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final transient Object value;
    private final String reason;
    private final String action;

    InvalidSweetAsyncPropertyException(String property, Object value, String reason, String action) {
        super("Invalid value '" + value + "' for property '" + property + "': " + reason);
        this.property = property;
        this.value = value;
        this.reason = reason;
        this.action = action;
    }

    /** The property's name, e.g. {@code sweet.async.groups.pricing.min-limit}. */
    public String getProperty() {
        return property;
    }

    /** The value it had. */
    public Object getValue() {
        return value;
    }

    /** Why the value cannot work. */
    public String getReason() {
        return reason;
    }

    /** What to change. */
    public String getAction() {
        return action;
    }
}
