/** Keeping secrets out of messages and {@code toString()}. Internal: used by the config and account classes. */
package io.ksbridge.internal.secrets;
