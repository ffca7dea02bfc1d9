package io.ksbridge;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A bridge, backend or format was configured wrongly. Lists every problem found, each in Kafka's form
 * {@code Invalid value V for setting N: why}, so one build attempt shows everything to fix.
 */
public class BridgeConfigException extends BridgeException {
    private static final long serialVersionUID = 1L;

    /**
     * One problem with one setting.
     *
     * @param setting the setting's name (a builder method or a connector property), never null
     * @param value   the offending value as text (secrets are shown as {@code [hidden]}), may be null
     * @param reason  why it is wrong and what would be right, never null
     */
    public record Problem(String setting, String value, String reason) {
        public Problem {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return "Invalid value " + value + " for setting " + setting + ": " + reason;
        }
    }

    private final List<Problem> problems;

    public BridgeConfigException(List<Problem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public BridgeConfigException(String setting, Object value, String reason) {
        this(List.of(new Problem(setting, String.valueOf(value), reason)));
    }

    /** Every problem found, in the order the settings were checked; never empty. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a BridgeConfigException needs at least one problem");
        }
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        return problems.size() + " configuration problems:\n" + problems.stream()
                .map(p -> "  - " + p)
                .collect(Collectors.joining("\n"));
    }
}
