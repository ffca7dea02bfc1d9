package io.ksbridge;

/** A built-in {@link TableRouter} with a name for settings and error messages. Thread-safe as its delegate. */
final class NamedRouter implements TableRouter {
    private final String name;
    private final TableRouter delegate;

    NamedRouter(String name, TableRouter delegate) {
        this.name = name;
        this.delegate = delegate;
    }

    @Override
    public String route(TransformRecord record, String topicTable) {
        return delegate.route(record, topicTable);
    }

    @Override
    public String toString() {
        return name;
    }
}
