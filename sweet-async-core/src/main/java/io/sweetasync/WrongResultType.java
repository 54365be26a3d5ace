package io.sweetasync;

import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;

/**
 * A handler's value that is not of the type its task was made for ({@code to(Integer.class)} for a handler that
 * returns a {@code String}): a durable or {@code anywhere()} task's work is a handler registered by name, whose result
 * the compiler cannot hold to the builder's type, so it is checked when the handler returns. The task fails with this
 * as its cause, naming the handler and both types, rather than hand out a value that throws a
 * {@link ClassCastException} far away, at its caller's assignment, naming nothing. It is never retried (the handler
 * would return the same type again, and its effects would repeat): {@link TaskAttempts} knows it.
 *
 * <p>A primitive type stands for its box ({@code to(int.class)} takes an {@code Integer}, not {@code null}); {@code null}
 * is of every other type; a builder made without a type ({@code to()}) checks nothing.
 */
final class WrongResultType extends ClassCastException {

    private static final long serialVersionUID = 1L;

    private WrongResultType(String message) {
        super(message);
    }

    /** {@code work}, whose value is checked against {@code type} (nothing is checked if null); for the handler {@code handler}. */
    static <T> Callable<T> checked(Callable<?> work, Class<T> type, String handler) {
        if (type == null) {
            @SuppressWarnings("unchecked") // unchecked, as the builder's type was not given: to()
            Callable<T> unchecked = (Callable<T>) work;
            return unchecked;
        }
        return () -> check(work.call(), type, handler);
    }

    /** {@code value} as a {@code type}; throws this if it is not one. */
    static <T> T check(Object value, Class<T> type, String handler) {
        if (value == null && type.isPrimitive() && type != void.class) {
            throw new WrongResultType("handler '" + handler + "' returned null, which is not an " + type.getName()
                    + " (to(" + type.getName() + ".class)): use the box type to take a null");
        }
        Class<?> boxed = MethodType.methodType(type).wrap().returnType(); // int -> Integer, others as they are
        if (value != null && !boxed.isInstance(value)) {
            throw new WrongResultType("handler '" + handler + "' returned a " + value.getClass().getName()
                    + ", not the " + type.getName() + " its task was made for (to(" + type.getSimpleName()
                    + ".class)): make the builder's type the handler's result type");
        }
        @SuppressWarnings("unchecked") // checked just above, boxed for a primitive type
        T checked = (T) value;
        return checked;
    }
}
