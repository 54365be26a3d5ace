/**
 * Not API: the few bridges between the library's own packages, {@code public} only because Java has no
 * friend packages (see the {@code io.sweetasync} package documentation). Nothing here is a promise to
 * users; it may change or go in any release. Each class says which packages it joins and why.
 */
package io.sweetasync.internal;
