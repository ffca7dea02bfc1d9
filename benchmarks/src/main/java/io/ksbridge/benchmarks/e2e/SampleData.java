package io.ksbridge.benchmarks.e2e;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Realistic order events of about 1 KiB: nested objects, arrays, unicode, numbers. Seeded, so every run sees the
 * same bytes.
 */
public final class SampleData {
    private static final String[] CITIES = {"Zürich", "São Paulo", "Kraków", "東京", "Montréal", "Reykjavík", "Austin"};
    private static final String[] ITEMS = {"espresso beans", "grinder", "filter papers", "kettle", "mug", "scale"};

    private SampleData() {
    }

    /** Value {@code i} of the seeded sequence. */
    public static byte[] value(long seed, int i) {
        Random r = new Random(seed * 1_000_003L + i);
        StringBuilder b = new StringBuilder(1100);
        b.append("{\"order_id\":").append(i)
                .append(",\"customer\":{\"id\":").append(r.nextInt(1_000_000))
                .append(",\"name\":\"Customer ").append(Integer.toHexString(r.nextInt()))
                .append("\",\"city\":\"").append(CITIES[r.nextInt(CITIES.length)])
                .append("\",\"vip\":").append(r.nextBoolean())
                .append(",\"tags\":[\"a").append(r.nextInt(9)).append("\",\"b").append(r.nextInt(9)).append("\"]}")
                .append(",\"lines\":[");
        int lines = 3 + r.nextInt(3);
        for (int l = 0; l < lines; l++) {
            if (l > 0) {
                b.append(',');
            }
            b.append("{\"sku\":\"SKU-").append(100_000 + r.nextInt(900_000))
                    .append("\",\"item\":\"").append(ITEMS[r.nextInt(ITEMS.length)])
                    .append("\",\"qty\":").append(1 + r.nextInt(5))
                    .append(",\"price\":").append(r.nextInt(10_000) / 100.0)
                    .append(",\"discount\":").append(r.nextDouble() < 0.3 ? "0.1" : "null").append('}');
        }
        b.append("],\"shipping\":{\"method\":\"").append(r.nextBoolean() ? "express" : "standard")
                .append("\",\"address\":{\"street\":\"").append(r.nextInt(999)).append(" Rue de l'Église")
                .append("\",\"zip\":\"").append(10_000 + r.nextInt(89_999)).append("\"}}")
                .append(",\"created_at\":\"2026-11-23T10:").append(10 + r.nextInt(49)).append(":00Z\"")
                .append(",\"notes\":\"");
        while (b.length() < 1000) {
            b.append("lorem ipsum ");
        }
        b.append("\"}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
