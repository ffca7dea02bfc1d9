package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TableNamer#connectorDefault()} against the Snowflake connector's (v3.5.4) names. Every expected name is a
 * literal: hashes were computed outside the namer (Java's String.hashCode in a separate program, cross-checked
 * with a Python re-implementation over UTF-16 units).
 */
class TableNamerTest {

    private static final TableNamer NAMER = TableNamer.connectorDefault();

    static Stream<Arguments> connectorExamples() {
        return Stream.of(
                // reference/connector.md's table
                Arguments.of("orders", "ORDERS"),
                Arguments.of("MyTopic", "MYTOPIC"),
                Arguments.of("my-topic", "MY_TOPIC_1894580786"),
                Arguments.of("12345", "_12345_46792755"),
                Arguments.of("bc*def", "BC_DEF_1396531364"),
                Arguments.of("-_aA1", "___AA1_44483871"),
                Arguments.of("_aA1-", "_AA1__90688251"),
                Arguments.of("testApp.snowflake-connector", "TESTAPP_SNOWFLAKE_CONNECTOR_36242259"),
                Arguments.of("a", "A_97"),
                Arguments.of("numbers+x", "NUMBERS_X_1649944951"),
                Arguments.of("numbers-x", "NUMBERS_X_1649945013"),
                // the connector's UtilsTest: ".*" is removed before characters are replaced, the hash is the topic's
                Arguments.of("bird.*", "BIRD_1388847051"),
                Arguments.of("x.*y", "XY_3620549"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("connectorExamples")
    void connectorDefault_connectorExample_sameTableAsConnector(String topic, String expected) {
        assertEquals(expected, NAMER.tableName(topic));
    }

    static Stream<Arguments> edgeCases() {
        return Stream.of(
                Arguments.of("ab", "AB"),                                  // two characters: a valid identifier
                Arguments.of("_", "__95"),                                 // one character, valid start, too short
                Arguments.of("a$b", "A$B"),                                // $ is an identifier character
                Arguments.of("$ab", "_$AB_37701"),                         // ... but not a first character
                Arguments.of("9lives", "_9LIVES_1734846574"),              // digit first: _ prepended, digit kept
                Arguments.of("orders.v1", "ORDERS_V1_390712796"),          // dots are not identifier characters
                Arguments.of("café", "CAF__3045921"),                      // non-ASCII letters are replaced
                Arguments.of("\uD83D\uDE00", "____1772899"),               // an emoji: _ prepended, two UTF-16 units
                Arguments.of("a".repeat(249), "A".repeat(249)),            // Kafka's longest topic, valid: as is
                Arguments.of("t-".repeat(100), "T_".repeat(100) + "_1711678268"),
                // hashCode is Integer.MIN_VALUE, whose Math.abs stays negative: the connector keeps the minus sign
                Arguments.of("min-3946\u9fff\u9fff\u90c3", "MIN_3946____-2147483648"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("edgeCases")
    void connectorDefault_edgeCase_connectorRules(String topic, String expected) {
        assertEquals(expected, NAMER.tableName(topic));
    }

    @Test
    void connectorV4_topic_quotedVerbatimAndCaseSensitive() {
        assertEquals("\"my-topic\"", TableNamer.connectorV4().tableName("my-topic"));
        assertEquals("\"Orders\"", TableNamer.connectorV4().tableName("Orders"));
        assertEquals("\"a\"\"b\"", TableNamer.connectorV4().tableName("a\"b"));
        assertEquals("topic must not be empty",
                assertThrows(IllegalArgumentException.class, () -> TableNamer.connectorV4().tableName("")).getMessage());
    }

    @Test
    void connectorDefault_topicsDifferingOnlyInReplacedCharacters_differentTables() {
        assertNotEquals(NAMER.tableName("numbers+x"), NAMER.tableName("numbers-x"));
        assertNotEquals(NAMER.tableName("a.b"), NAMER.tableName("a-b"));
    }

    @Test
    void connectorDefault_emptyTopic_illegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NAMER.tableName(""));
        assertEquals("topic must not be empty: the connector cannot name a table for it", e.getMessage());
    }

    @Test
    void connectorDefault_nullTopic_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> NAMER.tableName(null));
        assertEquals("topic must not be null", e.getMessage());
    }

    @Test
    void connectorDefault_onlyWildcard_illegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NAMER.tableName(".*"));
        assertEquals("topic '.*' has no characters left once its '.*' are removed: the connector cannot name a table"
                + " for it", e.getMessage());
    }

    @Test
    void connectorDefault_turkishDefaultLocale_upperCasesAsSnowflake() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(new Locale("tr", "TR"));
            assertEquals("TITLE", NAMER.tableName("title"));
            assertEquals("TITLE_2_1307250179", NAMER.tableName("title-2"));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void withOverrides_exactTopic_tableUpperCased() {
        TableNamer namer = NAMER.withOverrides(Map.of("payments", "payments_raw"));
        assertEquals("PAYMENTS_RAW", namer.tableName("payments"));
        assertEquals("MY_TOPIC_1894580786", namer.tableName("my-topic"));
    }

    @Test
    void withOverrides_regexKey_matchingTopicsShareTable() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(".*_cat", "cat_table");
        map.put(".*_dog", "dog_table");
        TableNamer namer = NAMER.withOverrides(map);
        assertEquals("CAT_TABLE", namer.tableName("calico_cat"));
        assertEquals("CAT_TABLE", namer.tableName("orange_cat"));
        assertEquals("CAT_TABLE", namer.tableName("_cat"));
        assertEquals("DOG_TABLE", namer.tableName("corgi_dog"));
        assertEquals("CAT_DOG_HOUSE", namer.tableName("cat_dog_house")); // matches neither as a whole
    }

    @Test
    void withOverrides_exactAndRegexBothMatch_exactWins() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("ab.*", "by_regex");
        map.put("abc", "by_name");
        assertEquals("BY_NAME", NAMER.withOverrides(map).tableName("abc"));
        assertEquals("BY_REGEX", NAMER.withOverrides(map).tableName("abd"));
    }

    @Test
    void withOverrides_twoRegexesMatch_firstInIterationOrderWins() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("o.*", "first");
        map.put(".*s", "second");
        assertEquals("FIRST", NAMER.withOverrides(map).tableName("orders"));
    }

    @Test
    void withOverrides_quotedTable_keepsCaseWithoutQuotes() {
        TableNamer namer = NAMER.withOverrides(Map.of("events", "\"MixedCase\"", "other", "  spaced  "));
        assertEquals("MixedCase", namer.tableName("events"));
        assertEquals("SPACED", namer.tableName("other"));
    }

    @Test
    void withOverrides_keyThatIsNotARegex_stillMatchesItsExactTopic() {
        TableNamer namer = NAMER.withOverrides(Map.of("a[", "t1"));
        assertEquals("T1", namer.tableName("a["));
        assertEquals("A__3047", namer.tableName("a(")); // falls back
    }

    @Test
    void withOverrides_blankTable_illegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NAMER.withOverrides(Map.of("orders", " ")));
        assertEquals("overrides map topic 'orders' to a blank table name", e.getMessage());
    }

    @Test
    void withOverrides_null_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> NAMER.withOverrides(null));
        assertEquals("overrides must not be null", e.getMessage());
    }

    @Test
    void mapping_mappedTopic_table() {
        assertEquals("ORDERS_RAW", TableNamer.mapping(Map.of("orders", "orders_raw")).tableName("orders"));
    }

    @Test
    void mapping_unmappedTopic_illegalArgumentNamingTopic() {
        TableNamer namer = TableNamer.mapping(Map.of("orders", "orders_raw"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> namer.tableName("payments"));
        assertEquals("no table is mapped for topic 'payments'", e.getMessage());
    }

    @Test
    void andThen_prefix_appliedToGeneratedAndMappedNames() {
        TableNamer namer = NAMER.withOverrides(Map.of("orders", "o")).andThen(t -> "RAW_" + t);
        assertEquals("RAW_MY_TOPIC_1894580786", namer.tableName("my-topic"));
        assertEquals("RAW_O", namer.tableName("orders"));
    }

    @Test
    void andThen_null_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> NAMER.andThen(null));
        assertEquals("after must not be null", e.getMessage());
    }
}
