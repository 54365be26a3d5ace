package io.sweetasync.boot.aop;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Once every singleton exists, checks the attributes of every {@code @AsyncTask} method of a bean whose class its
 * definition tells, of any scope ({@link AsyncTaskAspect#validate}: a {@code timeout = "five seconds"} or an unknown
 * {@code runtime} stops start-up naming the method; a prototype bean's too, without creating one: checked only at its
 * first call, its bad attribute or return type failed the first request instead), registers each
 * {@code @AsyncTask(durable = true)} method as the handler of its durable tasks, so that invocations stored
 * before a crash run again on this start ({@link AsyncTaskAspect#registerDurable}), and each
 * {@code @AsyncTask(placement = ANYWHERE)} method as the handler of calls placed on this member
 * ({@link AsyncTaskAspect#registerAnywhere}).
 */
public final class DurableMethodRegistrar implements SmartInitializingSingleton {

    private final ConfigurableListableBeanFactory beans;
    private final AsyncTaskAspect aspect;

    public DurableMethodRegistrar(ConfigurableListableBeanFactory beans, AsyncTaskAspect aspect) {
        this.beans = beans;
        this.aspect = aspect;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Set<Class<?>> checked = new HashSet<>();
        // the singletons as the factory lists them (isSingleton(name) would create a lazy FactoryBean to ask it)
        Set<String> singletons = Set.copyOf(Arrays.asList(beans.getBeanNamesForType(Object.class, false, false)));
        for (String name : beans.getBeanNamesForType(Object.class, true, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null) {
                continue;
            }
            // Any scope's methods are checked, each class once (a scoped proxy and its target are one class: a
            // warning is not logged twice); handlers are a singleton's (registering one would create the bean)
            boolean singleton = singletons.contains(name);
            Class<?> target = targetClass(name, type);
            boolean unchecked = checked.add(target);
            if (!unchecked && !singleton) {
                continue;
            }
            for (Method method : ReflectionUtils.getUniqueDeclaredMethods(target, ReflectionUtils.USER_DECLARED_METHODS)) {
                AsyncTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, AsyncTask.class);
                if (annotation != null && unchecked) {
                    aspect.validate(method, annotation, target);
                }
                if (!singleton) {
                    continue;
                }
                if (annotation != null && annotation.placement() == Placement.ANYWHERE) {
                    aspect.registerAnywhere(beans.getBean(name), invocable(method, type), annotation);
                }
                else if (annotation != null && annotation.durable()) {
                    aspect.registerDurable(beans.getBean(name), invocable(method, type), annotation);
                }
            }
        }
    }

    /**
     * The application's class behind the bean: a CGLIB proxy's superclass, a JDK interface proxy's target (whose
     * methods carry the annotations; the proxy class's own methods carry none, so their checks were skipped).
     */
    private Class<?> targetClass(String name, Class<?> type) {
        if (Proxy.isProxyClass(type)) {
            Object bean = beans.getSingleton(name);
            return bean != null && Proxy.isProxyClass(bean.getClass()) ? AopUtils.getTargetClass(bean) : type;
        }
        return ClassUtils.getUserClass(type);
    }

    /** The method as the bean (perhaps a JDK proxy of {@code type}) can be called with: an interface's for a JDK proxy. */
    private static Method invocable(Method method, Class<?> type) {
        return Proxy.isProxyClass(type) ? AopUtils.selectInvocableMethod(method, type) : method;
    }
}
