package io.sweetasync.boot.aop;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Once every singleton exists, checks the attributes of every {@code @AsyncTask} method of a singleton bean
 * ({@link AsyncTaskAspect#validate}: a {@code timeout = "five seconds"} or an unknown {@code runtime} stops
 * start-up naming the method), registers each {@code @AsyncTask(durable = true)} method as the handler of
 * its durable tasks, so that invocations stored before a crash run again on this start
 * ({@link AsyncTaskAspect#registerDurable}), and each {@code @AsyncTask(placement = ANYWHERE)} method as
 * the handler of calls placed on this member ({@link AsyncTaskAspect#registerAnywhere}).
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
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null) {
                continue;
            }
            Class<?> target = targetClass(name, type);
            for (Method method : ReflectionUtils.getUniqueDeclaredMethods(target, ReflectionUtils.USER_DECLARED_METHODS)) {
                AsyncTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, AsyncTask.class);
                if (annotation != null) {
                    aspect.validate(method, annotation, target);
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
