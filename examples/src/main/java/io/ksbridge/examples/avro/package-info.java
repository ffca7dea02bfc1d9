/** Avro with a schema registry, end to end on an in-process broker and registry. */
package io.ksbridge.examples.avro;
