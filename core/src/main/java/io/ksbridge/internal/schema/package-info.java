/**
 * The connector's schematization (a record's top-level fields as columns, typed from the record's schema or inferred
 * from its JSON values), shared by the backends that write columns. Internal: exported to the three backend modules
 * only.
 */
package io.ksbridge.internal.schema;
