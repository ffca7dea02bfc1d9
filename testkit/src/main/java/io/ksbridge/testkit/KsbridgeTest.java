package io.ksbridge.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test class that gets a real Kafka broker and the Snowflake emulator, started once for the class and
 * stopped after it. Declare them as parameters of test, {@code @BeforeEach} or {@code @BeforeAll} methods:
 *
 * <pre>{@code
 * @KsbridgeTest
 * class OrdersPipelineTest {
 *     @Test
 *     void ordersLand(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
 *         kafka.createTopic("orders", 2);
 *         kafka.produce("orders", 0, "k", "{\"id\":1}");
 *         try (KafkaToSnowflakeBridge bridge = myPipeline(kafka, snowflake)) {
 *             bridge.start();
 *             List<Row> rows = Await.rows(snowflake, "DB.PUBLIC.ORDERS", 1, Duration.ofSeconds(30));
 *             assertEquals(1, rows.get(0).content().get("id").asInt());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Each is started only when a method asks for it, so a class that needs only Kafka does not start the
 * emulator. Tests in one class share them: give each test its own topics and consumer groups.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KsbridgeExtension.class)
public @interface KsbridgeTest {
}
