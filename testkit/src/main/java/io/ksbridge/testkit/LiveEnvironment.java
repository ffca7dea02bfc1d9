package io.ksbridge.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** The live suites' gate: the SNOWFLAKE_* variables a suite needs, or a loud skip naming the missing ones. */
public final class LiveEnvironment {
    private LiveEnvironment() {
    }

    /**
     * The environment, when every variable in {@code required} is set; otherwise prints and aborts the test (JUnit
     * reports it skipped) with a message naming the suite and the variables to set.
     *
     * @param suite    what needs the account, for the message ("the Snowpipe live suite")
     * @param required the variables that must be set and not blank
     * @param optional what else may be set, for the message (appended in parentheses), or empty
     * @return the process environment
     */
    public static Map<String, String> require(String suite, List<String> required, String optional) {
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            String v = System.getenv(name);
            if (v == null || v.isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            String message = "SKIPPED: " + suite + " needs a Snowflake account; set " + missing
                    + (optional.isEmpty() ? "" : " (" + optional + ")");
            System.err.println("*** " + message + " ***");
            Assumptions.abort(message);
        }
        return System.getenv();
    }
}
