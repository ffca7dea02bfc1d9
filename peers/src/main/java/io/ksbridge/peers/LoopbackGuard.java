package io.ksbridge.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the JVM's URL connections on loopback: the default {@link ProxySelector} becomes one that lets loopback
 * hosts through and sends every other request to a closed port on 127.0.0.1, where the connection is refused at once.
 * Snowflake's Kafka connector asks Maven Central for its latest version at every start ({@code URL.openConnection},
 * 5 s timeouts, a failure only logged): behind this guard that check fails in milliseconds and no byte leaves the
 * machine (an HTTP proxy is sent the host name, so not even a DNS lookup happens). Every refused address is recorded,
 * so a test can assert what was attempted.
 *
 * <p>JVM-wide, installed once, never removed (the worker and the connector keep using the default selector).
 * Thread-safe.
 */
public final class LoopbackGuard extends ProxySelector {
    private static LoopbackGuard installed;

    private final ProxySelector previous;
    private final Proxy closedPort;
    private final List<URI> refused = new CopyOnWriteArrayList<>();

    private LoopbackGuard(ProxySelector previous, int closedPort) {
        this.previous = previous;
        this.closedPort = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", closedPort));
    }

    /** Installs the guard as the JVM's default proxy selector, once; returns it. */
    public static synchronized LoopbackGuard install() {
        if (installed == null) {
            installed = new LoopbackGuard(ProxySelector.getDefault(), closedLoopbackPort());
            ProxySelector.setDefault(installed);
        }
        return installed;
    }

    /** Every URI sent to the closed port so far, oldest first. */
    public List<URI> refused() {
        return List.copyOf(refused);
    }

    /** The closed loopback port non-loopback requests are sent to. */
    public int closedPort() {
        return ((InetSocketAddress) closedPort.address()).getPort();
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost();
        if (host != null && isLoopback(host)) {
            return previous != null ? previous.select(uri) : List.of(Proxy.NO_PROXY);
        }
        refused.add(uri);
        return List.of(closedPort);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // expected for every non-loopback request: the port is closed
    }

    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    private static int closedLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed when this returns: connections to it are refused
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pick a closed loopback port", e);
        }
    }
}
