package io.ksbridge.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link KsbridgeTest}: resolves {@link EmbeddedKafka} and {@link SnowflakeEmulator}
 * parameters, starting each once per test class (on first use) and closing it when the class is done.
 */
public final class KsbridgeExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KsbridgeExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedKafka.class || type == SnowflakeEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        ExtensionContext classContext = classContext(context);
        ExtensionContext.Store store = classContext.getStore(NS);
        if (type == EmbeddedKafka.class) {
            return store.getOrComputeIfAbsent(EmbeddedKafka.class, k -> new Closing<>(EmbeddedKafka.start()),
                    Closing.class).resource;
        }
        return store.getOrComputeIfAbsent(SnowflakeEmulator.class, k -> new Closing<>(SnowflakeEmulator.start()),
                Closing.class).resource;
    }

    /** The class-level context, so that resources live for the whole class, even when asked for by a test method. */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getParent().isPresent() && c.getTestMethod().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** Closes its resource when JUnit closes the store. */
    static final class Closing<T extends AutoCloseable> implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final T resource;

        Closing(T resource) {
            this.resource = resource;
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }
}
