/** The built-in record formats behind {@link io.ksbridge.RecordFormat#json()} and {@link io.ksbridge.RecordFormat#string()}. */
package io.ksbridge.format;
