package io.ksbridge.format.registry;

import io.ksbridge.BridgeException;

/**
 * The registry answered, and does not have the schema asked for (HTTP 404 with a Confluent "not found" error
 * code). For a record, this is the record's fault: its bytes name a schema id that does not exist in this
 * registry, so the bridge routes the record by its {@code ErrorPolicy} instead of retrying it.
 */
public class UnknownSchemaException extends BridgeException {
    private static final long serialVersionUID = 1L;

    private final int schemaId;

    /**
     * @param schemaId the id asked for, or -1 when the lookup was by subject and version
     * @param message  what was asked and what the registry said, never null
     */
    public UnknownSchemaException(int schemaId, String message) {
        super(message);
        this.schemaId = schemaId;
    }

    /** The schema id that was asked for, or -1 when the lookup was by subject and version. */
    public int schemaId() {
        return schemaId;
    }
}
