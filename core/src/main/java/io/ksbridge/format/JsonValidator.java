package io.ksbridge.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A strict JSON (RFC 8259) validator over UTF-8 bytes that builds nothing: no tokens, no numbers, no strings.
 * It checks exactly one value with optional surrounding whitespace, well-formed UTF-8 inside strings, escapes
 * (a {@code \\u} escape of a UTF-16 surrogate only as a high-low pair: a lone one has no UTF-8 form), number syntax
 * and nesting up to {@link #MAX_DEPTH}, and tells whether the value holds raw line breaks, in one pass.
 * Validation is most of the work per record on the JSON path. Stateless and thread-safe.
 */
final class JsonValidator {
    /**
     * The deepest nesting Snowflake loads for a JSON document: 1000 levels, the limit of the ingest SDK's JSON parser
     * (Jackson's default stream constraints) for a VARIANT value. See docs/design-notes.md.
     */
    static final int SNOWFLAKE_MAX_DEPTH = 1000;

    /**
     * The deepest nesting of a record's value: a Snowpipe file's line wraps it in one more object
     * ({@code {"RECORD_METADATA":...,"RECORD_CONTENT":<value>}}), so the value gets one level less than Snowflake's
     * limit, on every backend.
     */
    static final int MAX_DEPTH = SNOWFLAKE_MAX_DEPTH - 1;

    /**
     * The most digits a number may have (integer, fraction and exponent digits together): the ingest SDK's JSON parser
     * refuses longer ones (Jackson's default stream constraints), and a Snowpipe load with the same parser fails.
     */
    static final int MAX_NUMBER_DIGITS = 1000;

    /** The deepest nesting of a record's key: it sits in {@code RECORD_METADATA.key}, two levels below the line. */
    static final int MAX_KEY_DEPTH = SNOWFLAKE_MAX_DEPTH - 2;

    private static final byte OBJ = 1;
    private static final byte ARR = 2;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    /** String bytes that need no attention: printable ASCII other than the quote and the backslash. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    /** Eight bytes of an array at once, for the string fast path. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * 0x20;

    /** Where and why the bytes are not JSON. Carries no payload bytes. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final int position;

        Invalid(int position, String reason) {
            super(reason, null, false, false);
            this.position = position;
        }
    }

    private JsonValidator() {
    }

    /**
     * Validates {@code b} with nesting up to {@link #MAX_DEPTH}.
     *
     * @return true when the value has raw line breaks (which, in valid JSON, can only be whitespace between tokens)
     * @throws Invalid when {@code b} is not exactly one JSON value
     */
    static boolean validate(byte[] b) throws Invalid {
        return validate(b, MAX_DEPTH);
    }

    /**
     * Validates {@code b} with nesting up to {@code maxDepth} levels.
     *
     * @return true when the value has raw line breaks (which, in valid JSON, can only be whitespace between tokens)
     * @throws Invalid when {@code b} is not exactly one JSON value
     */
    static boolean validate(byte[] b, int maxDepth) throws Invalid {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1: " + maxDepth);
        }
        final int n = b.length;
        boolean lineBreaks = false;
        byte[] stack = null;
        int depth = 0;
        int i = 0;
        while (i < n && isWs(b[i])) {
            lineBreaks |= isLineBreak(b[i]);
            i++;
        }
        if (i == n) {
            throw new Invalid(i, "empty input: expected one JSON value");
        }
        value:
        while (true) {
            if (i >= n) {
                throw new Invalid(i, "unexpected end of input");
            }
            byte c = b[i];
            switch (c) {
                case '{', '[' -> {
                    if (stack == null) {
                        stack = new byte[Math.min(16, maxDepth)];
                    } else if (depth == stack.length) {
                        if (depth >= maxDepth) {
                            throw new Invalid(i, "nesting deeper than " + maxDepth + " levels");
                        }
                        stack = java.util.Arrays.copyOf(stack, Math.min(maxDepth, depth * 2));
                    }
                    stack[depth++] = c == '{' ? OBJ : ARR;
                    i++;
                    while (i < n && isWs(b[i])) {
                        lineBreaks |= isLineBreak(b[i]);
                        i++;
                    }
                    if (i < n && b[i] == (c == '{' ? '}' : ']')) {
                        depth--;
                        i++;
                        break; // to after-value
                    }
                    if (c == '{') {
                        long k = key(b, i, n);
                        i = (int) (k >>> 1);
                        lineBreaks |= (k & 1) != 0;
                    }
                    continue value;
                }
                case '"' -> i = string(b, i + 1, n);
                case 't' -> i = literal(b, i, n, TRUE);
                case 'f' -> i = literal(b, i, n, FALSE);
                case 'n' -> i = literal(b, i, n, NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        i = number(b, i, n);
                    } else {
                        throw new Invalid(i, "unexpected character");
                    }
                }
            }
            // after a value
            while (true) {
                while (i < n && isWs(b[i])) {
                    lineBreaks |= isLineBreak(b[i]);
                    i++;
                }
                if (depth == 0) {
                    if (i != n) {
                        throw new Invalid(i, "more than one JSON value: unexpected character after the value");
                    }
                    return lineBreaks;
                }
                if (i >= n) {
                    throw new Invalid(i, "unexpected end of input");
                }
                byte top = stack[depth - 1];
                byte d = b[i];
                if (d == ',') {
                    i++;
                    while (i < n && isWs(b[i])) {
                        lineBreaks |= isLineBreak(b[i]);
                        i++;
                    }
                    if (top == OBJ) {
                        long k = key(b, i, n);
                        i = (int) (k >>> 1);
                        lineBreaks |= (k & 1) != 0;
                    }
                    continue value;
                }
                if ((top == OBJ && d == '}') || (top == ARR && d == ']')) {
                    depth--;
                    i++;
                    continue;
                }
                throw new Invalid(i, top == OBJ ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
            }
        }
    }

    /**
     * Validates {@code "key" ws : ws} starting at i. Returns the index of the value shifted left by one, with the
     * low bit set when the whitespace held a line break.
     */
    private static long key(byte[] b, int i, int n) throws Invalid {
        if (i >= n) {
            throw new Invalid(i, "unexpected end of input");
        }
        if (b[i] != '"') {
            throw new Invalid(i, "expected a string key in an object");
        }
        i = string(b, i + 1, n);
        boolean lineBreaks = false;
        while (i < n && isWs(b[i])) {
            lineBreaks |= isLineBreak(b[i]);
            i++;
        }
        if (i >= n) {
            throw new Invalid(i, "unexpected end of input");
        }
        if (b[i] != ':') {
            throw new Invalid(i, "expected ':' after an object key");
        }
        i++;
        while (i < n && isWs(b[i])) {
            lineBreaks |= isLineBreak(b[i]);
            i++;
        }
        return ((long) i << 1) | (lineBreaks ? 1 : 0);
    }

    /** Validates a string body starting after the opening quote; returns the index after the closing quote. */
    private static int string(byte[] b, int i, int n) throws Invalid {
        while (true) {
            // fast path: eight bytes at a time, straight to the first that needs attention; the tail one by one
            if (i + 8 <= n) {
                int first = firstNeedingAttention((long) LONGS.get(b, i));
                i += first;
                if (first == 8) {
                    continue;
                }
            } else {
                while (i < n && PLAIN[b[i] & 0xFF]) {
                    i++;
                }
                if (i >= n) {
                    throw new Invalid(i, "unexpected end of input in a string");
                }
            }
            int c = b[i] & 0xFF;
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= n) {
                    throw new Invalid(i, "unexpected end of input in a string");
                }
                byte e = b[i + 1];
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
                    case 'u' -> {
                        if (i + 5 >= n) {
                            throw new Invalid(i, "unexpected end of input in a string");
                        }
                        int unit = hex4(b, i + 2, i);
                        if (unit >= 0xD800 && unit <= 0xDFFF) {
                            // a surrogate only as a high-low pair: a lone one has no UTF-8 form
                            if (unit >= 0xDC00) {
                                throw new Invalid(i, "lone low surrogate \\u escape in a string");
                            }
                            if (i + 7 >= n || b[i + 6] != '\\' || b[i + 7] != 'u') {
                                throw new Invalid(i, "lone high surrogate \\u escape in a string");
                            }
                            if (i + 11 >= n) {
                                throw new Invalid(i, "unexpected end of input in a string");
                            }
                            int low = hex4(b, i + 8, i + 6);
                            if (low < 0xDC00 || low > 0xDFFF) {
                                throw new Invalid(i, "lone high surrogate \\u escape in a string");
                            }
                            i += 12;
                        } else {
                            i += 6;
                        }
                    }
                    default -> throw new Invalid(i, "invalid escape in a string");
                }
                continue;
            }
            if (c < 0x20) {
                throw new Invalid(i, "unescaped control character in a string");
            }
            i = utf8(b, i, n, c);
        }
    }

    /**
     * The index (0 to 7, in array order) of the first of the eight bytes of {@code x} that is not {@link #PLAIN} (a
     * quote, a backslash, a control character or a byte of a multi-byte UTF-8 sequence), or 8 when all are. The classic
     * word tests for a zero byte ({@code (v - 0x01..) & ~v & 0x80..}, after XOR with the quote and the backslash) and for
     * a byte below 0x20, with the high bits of {@code x}: a borrow may mark bytes after the first one that needs
     * attention, never one before it, so the lowest mark is exact.
     */
    static int firstNeedingAttention(long x) {
        long q = x ^ QUOTES;
        long s = x ^ BACKSLASHES;
        long marks = (((q - ONES) & ~q) | ((s - ONES) & ~s) | ((x - SPACES) & ~x) | x) & HIGHS;
        return Long.numberOfTrailingZeros(marks) >>> 3; // 64 >>> 3 = 8 when there is none
    }

    /** The code unit of the four hex digits at {@code at}; {@code escape} is where the escape starts, for the error. */
    private static int hex4(byte[] b, int at, int escape) throws Invalid {
        int unit = 0;
        for (int k = at; k < at + 4; k++) {
            int d = hexValue(b[k]);
            if (d < 0) {
                throw new Invalid(escape, "invalid \\u escape in a string");
            }
            unit = unit << 4 | d;
        }
        return unit;
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Validates one multi-byte UTF-8 sequence whose lead byte {@code c} is at i; returns the index after it. */
    private static int utf8(byte[] b, int i, int n, int c) throws Invalid {
        int need;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) {
                lo = 0xA0; // no overlong forms
            } else if (c == 0xED) {
                hi = 0x9F; // no UTF-16 surrogates
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) {
                lo = 0x90;
            } else if (c == 0xF4) {
                hi = 0x8F; // nothing above U+10FFFF
            }
        } else {
            throw new Invalid(i, "invalid UTF-8");
        }
        if (i + need >= n) {
            throw new Invalid(i, "invalid UTF-8: truncated sequence");
        }
        int second = b[i + 1] & 0xFF;
        if (second < lo || second > hi) {
            throw new Invalid(i, "invalid UTF-8");
        }
        for (int k = 2; k <= need; k++) {
            int cont = b[i + k] & 0xFF;
            if (cont < 0x80 || cont > 0xBF) {
                throw new Invalid(i, "invalid UTF-8");
            }
        }
        return i + need + 1;
    }

    private static int literal(byte[] b, int i, int n, byte[] word) throws Invalid {
        int len = word.length;
        for (int k = 0; k < len; k++) {
            if (i + k >= n) {
                throw new Invalid(i, "unexpected end of input");
            }
            if (b[i + k] != word[k]) {
                throw new Invalid(i, "unrecognized token");
            }
        }
        int end = i + len;
        if (end < n && isTokenChar(b[end])) {
            throw new Invalid(i, "unrecognized token");
        }
        return end;
    }

    /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    private static int number(byte[] b, int i, int n) throws Invalid {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        if (i >= n) {
            throw new Invalid(start, "unexpected end of input in a number");
        }
        if (b[i] == '0') {
            i++;
            if (i < n && isDigit(b[i])) {
                throw new Invalid(start, "invalid number: leading zeros are not allowed");
            }
        } else if (isDigit(b[i])) {
            while (i < n && isDigit(b[i])) {
                i++;
            }
        } else {
            throw new Invalid(start, "invalid number");
        }
        if (i < n && b[i] == '.') {
            i++;
            if (i >= n || !isDigit(b[i])) {
                throw new Invalid(start, "invalid number: a digit must follow the decimal point");
            }
            while (i < n && isDigit(b[i])) {
                i++;
            }
        }
        if (i < n && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < n && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            if (i >= n || !isDigit(b[i])) {
                throw new Invalid(start, "invalid number: the exponent has no digits");
            }
            while (i < n && isDigit(b[i])) {
                i++;
            }
        }
        if (i < n && isTokenChar(b[i])) {
            throw new Invalid(start, "invalid number");
        }
        if (i - start > MAX_NUMBER_DIGITS && digits(b, start, i) > MAX_NUMBER_DIGITS) {
            throw new Invalid(start, "number with more than " + MAX_NUMBER_DIGITS + " digits");
        }
        return i;
    }

    private static int digits(byte[] b, int from, int to) {
        int count = 0;
        for (int k = from; k < to; k++) {
            if (isDigit(b[k])) {
                count++;
            }
        }
        return count;
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static boolean isLineBreak(byte c) {
        return c == '\n' || c == '\r';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Characters that may not directly follow a number or literal without a separator. */
    private static boolean isTokenChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                || c == '+' || c == '_' || c < 0;
    }
}
