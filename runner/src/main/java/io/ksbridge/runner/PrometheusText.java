package io.ksbridge.runner;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a Micrometer registry in Prometheus' text exposition format (version 0.0.4), named as Micrometer's own
 * Prometheus registry names them: dots become underscores, counters end in {@code _total}, timers are summaries in
 * seconds ({@code _seconds_count}, {@code _seconds_sum}, {@code _seconds_max}). Ours because
 * micrometer-registry-prometheus is not among the project's dependencies; the format is small and stable.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    static String render(MeterRegistry registry) {
        Map<String, Family> families = new TreeMap<>();
        for (Meter meter : registry.getMeters()) {
            String base = name(meter.getId().getName());
            String labels = labels(meter.getId().getTags());
            String help = meter.getId().getDescription();
            if (meter instanceof Counter c) {
                family(families, base + "_total", "counter", help).add(base + "_total" + labels, c.count());
            } else if (meter instanceof FunctionCounter c) {
                family(families, base + "_total", "counter", help).add(base + "_total" + labels, c.count());
            } else if (meter instanceof Timer t) {
                String n = base + "_seconds";
                Family f = family(families, n, "summary", help);
                f.add(n + "_count" + labels, t.count());
                f.add(n + "_sum" + labels, t.totalTime(TimeUnit.SECONDS));
                family(families, n + "_max", "gauge", help).add(n + "_max" + labels, t.max(TimeUnit.SECONDS));
            } else if (meter instanceof DistributionSummary s) {
                Family f = family(families, base, "summary", help);
                f.add(base + "_count" + labels, s.count());
                f.add(base + "_sum" + labels, s.totalAmount());
                family(families, base + "_max", "gauge", help).add(base + "_max" + labels, s.max());
            } else if (meter instanceof TimeGauge g) {
                family(families, base + "_seconds", "gauge", help).add(base + "_seconds" + labels, g.value(TimeUnit.SECONDS));
            } else if (meter instanceof Gauge g) {
                family(families, base, "gauge", help).add(base + labels, g.value());
            } else {
                meter.measure().forEach(m -> family(families, base, "untyped", help)
                        .add(base + "_" + m.getStatistic().name().toLowerCase(java.util.Locale.ROOT) + labels, m.getValue()));
            }
        }
        StringBuilder out = new StringBuilder();
        families.forEach((n, f) -> {
            if (f.help != null && !f.help.isEmpty()) {
                out.append("# HELP ").append(n).append(' ').append(f.help.replace("\\", "\\\\").replace("\n", "\\n"))
                        .append('\n');
            }
            out.append("# TYPE ").append(n).append(' ').append(f.type).append('\n');
            f.samples.forEach(s -> out.append(s).append('\n'));
        });
        return out.toString();
    }

    private static Family family(Map<String, Family> families, String name, String type, String help) {
        return families.computeIfAbsent(name, n -> new Family(type, help));
    }

    static String name(String micrometerName) {
        String n = micrometerName.replaceAll("[^a-zA-Z0-9_:]", "_");
        return Character.isDigit(n.charAt(0)) ? "_" + n : n;
    }

    private static String labels(List<Tag> tags) {
        if (tags.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        for (Tag t : tags) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(name(t.getKey())).append("=\"")
                    .append(t.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.append('}').toString();
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static final class Family {
        final String type;
        final String help;
        final List<String> samples = new ArrayList<>();

        Family(String type, String help) {
            this.type = type;
            this.help = help;
        }

        void add(String series, double value) {
            samples.add(series + " " + number(value));
        }
    }
}
