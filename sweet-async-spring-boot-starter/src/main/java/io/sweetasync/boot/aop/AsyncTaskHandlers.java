package io.sweetasync.boot.aop;

import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.spi.DurableCodec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The handlers that run {@code @AsyncTask} calls which do not run where they were made: a durable method's
 * stored invocations ({@code durable = true}, arguments encoded with the {@link DurableCodec}) and the calls
 * other members place on this one ({@code placement = ANYWHERE}). Each handler calls the method again
 * through its proxy, so the method's other advice applies; the handler's own call must then run the body
 * rather than be stored or placed again, which {@link #takeDurableCall} and {@link #takePlacedCall} tell
 * the aspect.
 *
 * <p>Handlers are registered at start-up ({@link DurableMethodRegistrar}); a handler name is claimed by one
 * method only (a concurrent map, first claim wins). Which handler a thread is running is a thread-local set around the handler's call and
 * cleared at the first intercepted call of that handler's method on that thread (nested calls are new
 * tasks).
 */
final class AsyncTaskHandlers {

    /** The handler whose stored invocation this thread is running: its call must not be stored again. */
    private static final ThreadLocal<String> RUNNING_DURABLE = new ThreadLocal<>();
    /** The handler whose placed call this thread is running: its call must not be placed again. */
    private static final ThreadLocal<String> RUNNING_PLACED = new ThreadLocal<>();

    private final TaskOrchestrator orchestrator;
    private final DurableCodec codec;
    private final AsyncTaskSettings settings;

    /** The method each durable or placed handler was registered for, to name both when two share a name. */
    private final ConcurrentHashMap<String, Method> handlerMethods = new ConcurrentHashMap<>();

    /** {@code codec} may be null: no task store (or no Jackson for the JSON codec), and durable methods are refused. */
    AsyncTaskHandlers(TaskOrchestrator orchestrator, DurableCodec codec, AsyncTaskSettings settings) {
        this.orchestrator = orchestrator;
        this.codec = codec;
        this.settings = settings;
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its durable tasks: a stored
     * invocation decodes the arguments and calls the method again through the proxy (so its other
     * advice applies), without storing the call a second time.
     */
    void registerDurable(Object bean, Method method, AsyncTask annotation) {
        if (codec == null) {
            throw withoutCodec(method);
        }
        Type[] types = parameterTypes(method, bean);
        String handler = settings.handlerName(method, annotation);
        claim(handler, method);
        ReflectionUtils.makeAccessible(method);
        orchestrator.handler(handler, String[].class, encoded -> {
            Object[] arguments = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                arguments[i] = encoded == null || encoded[i] == null ? null : codec.decode(encoded[i], types[i]);
            }
            String previous = RUNNING_DURABLE.get();
            RUNNING_DURABLE.set(handler);
            try {
                Object value = method.invoke(bean, arguments);
                return TaskBody.await(value);
            }
            catch (InvocationTargetException ex) {
                throw causeOf(ex);
            }
            finally {
                RUNNING_DURABLE.set(previous);
            }
        });
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its calls placed on this
     * member by any member ({@code placement = ANYWHERE}): it calls the method through the proxy with the
     * arguments as sent, without placing the call again.
     */
    void registerAnywhere(Object bean, Method method, AsyncTask annotation) {
        if (annotation.durable()) {
            throw new IllegalStateException("@AsyncTask on " + method + " is both durable and placement = ANYWHERE: "
                    + "durable tasks are not placed on other members; choose one");
        }
        String handler = settings.handlerName(method, annotation);
        claim(handler, method);
        ReflectionUtils.makeAccessible(method);
        orchestrator.handler(handler, Object[].class, arguments -> {
            String previous = RUNNING_PLACED.get();
            RUNNING_PLACED.set(handler);
            try {
                return TaskBody.await(method.invoke(bean, arguments));
            }
            catch (InvocationTargetException ex) {
                throw causeOf(ex);
            }
            finally {
                RUNNING_PLACED.set(previous);
            }
        });
    }

    /**
     * What the method threw, through its reflective call: an {@code Error} too (an {@code AssertionError}), thrown as
     * it is, as a non-durable method's body throws it; passed on as the {@code InvocationTargetException}, the task
     * failed with that (no message) and the blocking caller got it wrapped once more by the proxy
     * ({@code UndeclaredThrowableException}).
     */
    private static Exception causeOf(InvocationTargetException ex) {
        Throwable cause = ex.getCause();
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof Exception exception ? exception : ex;
    }

    /**
     * The types the method's arguments are decoded as: its parameters' types as the bean's class binds them, generic
     * ones whole. A method of a generic base class ({@code process(T item)} of a {@code Processor<Invoice>}) has the
     * erased type {@code Object}, and a {@code List<Invoice>} parameter the class {@code List}: their arguments were
     * decoded as JSON maps, which the body then failed to cast.
     */
    private static Type[] parameterTypes(Method method, Object bean) {
        Class<?> beanClass = AopUtils.getTargetClass(bean);
        Class<?>[] classes = method.getParameterTypes();
        Type[] generic = method.getGenericParameterTypes();
        Type[] types = new Type[classes.length];
        for (int i = 0; i < types.length; i++) {
            Type resolved = generic.length == classes.length ? GenericTypeResolver.resolveType(generic[i], beanClass) : null;
            Class<?> bound = resolved == null ? null : ResolvableType.forType(resolved).resolve();
            types[i] = bound != null && classes[i].isAssignableFrom(bound) ? resolved : classes[i];
        }
        return types;
    }

    private static final boolean TRANSACTIONS = ClassUtils.isPresent(
            "org.springframework.transaction.support.TransactionSynchronizationManager", AsyncTaskHandlers.class.getClassLoader());

    /**
     * Whether the calling thread runs inside a Spring-managed transaction (one with synchronization, as
     * {@code @Transactional} and {@code TransactionTemplate} open): a durable task submitted there is stored with it
     * and, by the starter's start gate, started only once it commits.
     */
    static boolean inTransaction() {
        return TRANSACTIONS && Transactions.active();
    }

    /** Loaded only with spring-tx on the classpath. */
    private static final class Transactions {
        static boolean active() {
            return org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive();
        }
    }

    /**
     * Takes {@code handler} for {@code method}: two methods of one task name (overloads named by default,
     * {@code Class.method}) would share a handler, and the engine's refusal named neither.
     */
    private void claim(String handler, Method method) {
        Method other = handlerMethods.putIfAbsent(handler, method);
        if (other != null && other.equals(method)) {
            // One method, two beans (two @Bean of one class, or classes inheriting it): one annotation, so no name
            // can tell them apart, which the advice below asked for
            throw new IllegalStateException("@AsyncTask on " + method + " is on two beans: its stored or placed calls"
                    + " run on the one bean registered as the handler '" + handler + "', so only one bean may have it;"
                    + " keep one bean of this class, or move the method to a bean of its own that the others call");
        }
        if (other != null) {
            throw new IllegalStateException("@AsyncTask on " + method + " and on " + other + " have the same task name '"
                    + handler + "', which names the handler that runs their stored or placed calls; give each its own"
                    + " (@AsyncTask(name = \"...\"))");
        }
    }

    /**
     * Why a durable method cannot run here: no task store, or a store but no codec for its arguments (the JSON
     * codec needs Jackson 3 on the classpath).
     */
    private IllegalStateException withoutCodec(Method method) {
        if (orchestrator.storeStatistics().isEmpty()) {
            return new IllegalStateException("@AsyncTask(durable = true) on " + method + " needs a task store: set "
                    + "sweet.async.store.enabled=true (with sweet-async-jdbc and a DataSource)");
        }
        return new IllegalStateException("@AsyncTask(durable = true) on " + method + " needs a DurableCodec for its "
                + "arguments and result: put Jackson 3 (tools.jackson.core:jackson-databind) on the classpath for the "
                + "JSON codec, or declare a DurableCodec bean");
    }

    /** Stores the call (each argument encoded on its own) and starts it; see {@link #registerDurable}. */
    SpawningTask<Object> durable(SpawningTaskBuilder<Object> builder, String handler, Method method,
            Object[] arguments) {
        if (codec == null) {
            throw withoutCodec(method);
        }
        String[] encoded = new String[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            try {
                encoded[i] = arguments[i] == null ? null : codec.encode(arguments[i]);
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("@AsyncTask(durable = true) on " + method + ": argument " + i
                        + " cannot be stored: " + ex.getMessage(), ex);
            }
        }
        return builder.durable(handler, encoded).run();
    }

    /**
     * Whether this thread is running {@code handler}'s stored invocation and this is its own call, which then
     * runs the body; forgotten at once, so that nested calls are new tasks.
     */
    boolean takeDurableCall(String handler) {
        if (handler.equals(RUNNING_DURABLE.get())) {
            RUNNING_DURABLE.remove();
            return true;
        }
        return false;
    }

    /** Whether this is the placed call itself, on the member chosen, which then runs the body; forgotten at once. */
    boolean takePlacedCall(String handler) {
        if (handler.equals(RUNNING_PLACED.get())) {
            RUNNING_PLACED.remove();
            return true;
        }
        return false;
    }
}
