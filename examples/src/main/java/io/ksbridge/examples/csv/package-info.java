/** A custom record format in about 20 lines: CSV lines to JSON objects. */
package io.ksbridge.examples.csv;
