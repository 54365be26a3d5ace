/**
 * {@link io.sweetasync.annotation.AsyncTask}: a plain Java annotation, interpreted by the Spring Boot
 * starter's aspect.
 */
package io.sweetasync.annotation;
