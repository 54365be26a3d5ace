package io.sweetasync.boot.aop;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import java.lang.reflect.Method;
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
            Class<?> target = ClassUtils.getUserClass(type); // the application's class behind a CGLIB proxy
            for (Method method : ReflectionUtils.getUniqueDeclaredMethods(target, ReflectionUtils.USER_DECLARED_METHODS)) {
                AsyncTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, AsyncTask.class);
                if (annotation != null) {
                    aspect.validate(method, annotation);
                }
                if (annotation != null && annotation.placement() == Placement.ANYWHERE) {
                    aspect.registerAnywhere(beans.getBean(name), method, annotation);
                }
                else if (annotation != null && annotation.durable()) {
                    aspect.registerDurable(beans.getBean(name), method, annotation);
                }
            }
        }
    }
}
