/**
 * The aspect behind {@link io.sweetasync.annotation.AsyncTask @AsyncTask}.
 */
package io.sweetasync.boot.aop;
