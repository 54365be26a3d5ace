/**
 * Service-provider interfaces of the engine: what an application or integration may plug in
 * (the clock). Nothing here is needed for ordinary use.
 */
package io.sweetasync.spi;
