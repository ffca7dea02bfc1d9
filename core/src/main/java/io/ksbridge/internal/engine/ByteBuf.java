package io.ksbridge.internal.engine;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array, reused across records on the polling thread. Not thread-safe. */
final class ByteBuf extends OutputStream {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int len;

    ByteBuf(int capacity) {
        buf = new byte[capacity];
    }

    void reset() {
        len = 0;
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    ByteBuf append(byte[] b) {
        write(b, 0, b.length);
        return this;
    }

    ByteBuf ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Appends v in decimal, with no intermediate String. */
    ByteBuf number(long v) {
        if (v == Long.MIN_VALUE) {
            return ascii(Long.toString(v));
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        int at = len + digits;
        do {
            buf[--at] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        len += digits;
        return this;
    }

    /** Appends s as a JSON string literal, quoted and escaped, UTF-8. */
    ByteBuf jsonString(String s) {
        write('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                write('\\');
                write(c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> ascii("\\n");
                    case '\r' -> ascii("\\r");
                    case '\t' -> ascii("\\t");
                    case '\b' -> ascii("\\b");
                    case '\f' -> ascii("\\f");
                    default -> {
                        ascii("\\u00");
                        write(HEX[c >> 4]);
                        write(HEX[c & 0xF]);
                    }
                }
            } else if (c < 0x80) {
                write(c);
            } else if (c < 0x800) {
                write(0xC0 | (c >> 6));
                write(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                write(0xF0 | (cp >> 18));
                write(0x80 | ((cp >> 12) & 0x3F));
                write(0x80 | ((cp >> 6) & 0x3F));
                write(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                ascii("\\u");
                write(HEX[(c >> 12) & 0xF]);
                write(HEX[(c >> 8) & 0xF]);
                write(HEX[(c >> 4) & 0xF]);
                write(HEX[c & 0xF]);
            } else {
                write(0xE0 | (c >> 12));
                write(0x80 | ((c >> 6) & 0x3F));
                write(0x80 | (c & 0x3F));
            }
        }
        write('"');
        return this;
    }
}
