package io.ksbridge.spring.boot;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the starter adds to an application's start-up time and memory: the same minimal Boot application (no web
 * server) started in fresh JVMs without the starter on the class path, with it and {@code ksbridge.enabled=false},
 * and with an enabled own-loop bridge (Snowpipe backend; nothing listens at its addresses, and start-up contacts
 * nothing but the consumer's background connection). Prints the median of {@code runs} of each. Run by hand, not a
 * test:
 * <pre>
 * mvn -B -q -o test-compile dependency:build-classpath -pl spring-boot-starter -am -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp spring-boot-starter/target/test-classes:spring-boot-starter/target/classes:$(cat /tmp/cp.txt) io.ksbridge.spring.boot.StartupCost 5
 * </pre>
 */
public final class StartupCost {
    private StartupCost() {
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1]);
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String cp = System.getProperty("java.class.path");
        String withoutStarter = Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> e.endsWith("test-classes") || !(e.contains("ksbridge") || e.contains("/target/classes")))
                .collect(Collectors.joining(File.pathSeparator));
        System.out.printf("%-28s %12s %14s %10s%n", "variant (median of " + runs + ")", "ready ms", "heap used MiB", "classes");
        List<String> variants = List.of("without-starter", "starter-disabled", "starter-enabled");
        java.util.Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (String variant : variants) { // interleaved, so a busy moment of the machine hits every variant
                Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx256m",
                        "-cp", variant.equals("without-starter") ? withoutStarter : cp, StartupCost.class.getName(), "child", variant)
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                String line = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                        .orElseThrow(() -> new IllegalStateException(variant + " printed no result:\n" + out));
                String[] f = line.split(" ");
                results.computeIfAbsent(variant, v -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
            }
        }
        results.forEach((variant, r) -> System.out.printf("%-28s %12.0f %14.1f %10.0f%n", variant, median(r, 0),
                median(r, 1), median(r, 2)));
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void child(String variant) throws Exception {
        List<String> props = new ArrayList<>(List.of("--spring.main.web-application-type=none", "--logging.level.root=warn"));
        if (variant.equals("starter-enabled")) {
            props.addAll(List.of("--ksbridge.enabled=true", "--ksbridge.topics=orders",
                    "--ksbridge.consumer.bootstrap.servers=127.0.0.1:9", "--ksbridge.consumer.group.id=g",
                    "--ksbridge.snowflake.url=http://127.0.0.1:9", "--ksbridge.snowflake.allow-insecure-http=true", "--ksbridge.snowflake.user=U",
                    "--ksbridge.snowflake.private-key=" + io.ksbridge.testkit.SnowflakeEmulator.pem(
                            io.ksbridge.testkit.SnowflakeEmulator.newKeyPair().getPrivate()),
                    "--ksbridge.snowflake.database=DB", "--ksbridge.snowflake.schema=PUBLIC"));
        }
        ConfigurableApplicationContext ctx = SpringApplication.run(App.class, props.toArray(String[]::new));
        long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        double heapMiB = (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println("RESULT " + readyMs + " " + heapMiB + " " + classes);
        ctx.close();
        System.exit(0);
    }
}
