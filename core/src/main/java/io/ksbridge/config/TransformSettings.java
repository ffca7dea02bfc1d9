package io.ksbridge.config;

import io.ksbridge.BridgeConfigException.Problem;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordTransform;
import io.ksbridge.Secret;
import io.ksbridge.Transforms;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The connector's {@code transforms=a,b} and {@code transforms.<alias>.*} keys: ksbridge's built-in transforms by
 * short name, other types through a {@link TransformProvider}. Package-private: {@link BridgeConfig} calls it.
 */
final class TransformSettings {
    static final String PREFIX = "transforms.";
    static final String CONNECT_MODULE = "io.ksbridge:ksbridge-transforms-connect";

    /** A built-in type: what it does, and each setting it reads (beyond {@code type}) with its description. */
    record BuiltIn(String type, String doc, Map<String, String> settings) {
    }

    /** The built-in types, in the order the reference shows them. */
    static final List<BuiltIn> BUILT_INS = List.of(
            new BuiltIn("drop", "Transforms.drop: removes top-level fields of the value.",
                    settings("fields", "required: comma-separated field names")),
            new BuiltIn("mask", "Transforms.mask: replaces the values of top-level fields with a fixed string (JSON null"
                    + " stays null).", settings("fields", "required: comma-separated field names",
                    "replacement", "the string written instead; default ****")),
            new BuiltIn("hash", "Transforms.hash: replaces the values of top-level fields with their HMAC-SHA256 under a"
                    + " key, 64 hex digits (JSON null stays null).", settings("fields",
                    "required: comma-separated field names", "hash.key", "required: the HMAC key (a secret: never shown)")),
            new BuiltIn("insert", "Transforms.insert / insertMetadata: sets a top-level field to a string or to the"
                    + " record's topic, partition, offset or timestamp.", settings("field", "required: the field name",
                    "value", "a string to set (exactly one of value and metadata)",
                    "metadata", "topic, partition, offset or timestamp (epoch ms; null when the record has none)")),
            new BuiltIn("rename", "Transforms.rename: renames top-level fields.",
                    settings("renames", "required: old:new pairs separated by commas, for example a:b,c:d")),
            new BuiltIn("flatten", "Transforms.flatten: nested objects become top-level fields named by their path.",
                    settings("separator", "what joins the names; default .")),
            new BuiltIn("filter", "Transforms.filterByField / filterByHeader: drops (or keeps) records whose field or"
                    + " header matches; a filtered record is reported and its offset committed.", settings(
                    "field", "a dotted path in the value (exactly one of field and header); a string is matched as its"
                            + " text, other values as their JSON", "header", "a header name (its last value, UTF-8)",
                    "regex", "required: a Java regular expression the whole text must match; absent never matches",
                    "on.match", "drop (default) or keep: what becomes of matching records; the others get the other")));

    private static Map<String, String> settings(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static BuiltIn builtIn(String type) {
        for (BuiltIn b : BUILT_INS) {
            if (b.type().equals(type)) {
                return b;
            }
        }
        return null;
    }

    private static String typeNames() {
        return String.join(", ", BUILT_INS.stream().map(BuiltIn::type).toList());
    }

    /** The chain the properties describe, or null when {@code aliases} is empty; problems are added to the list. */
    static RecordTransform parse(List<String> aliases, Map<String, String> given, List<Problem> problems) {
        Map<String, Map<String, String>> byAlias = new TreeMap<>();
        for (var e : given.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(PREFIX)) {
                continue;
            }
            String rest = k.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                problems.add(new Problem(k, null, "not a transform setting: use transforms.<alias>.<setting>"));
                continue;
            }
            byAlias.computeIfAbsent(rest.substring(0, dot), a -> new TreeMap<>()).put(rest.substring(dot + 1), e.getValue());
        }
        for (String alias : byAlias.keySet()) {
            if (!aliases.contains(alias)) {
                problems.add(new Problem(PREFIX + alias + ".type", null, "alias " + alias
                        + " is configured but not listed in transforms, so it would have no effect; add it to transforms"
                        + " or remove its keys"));
            }
        }
        RecordTransform chain = null;
        for (String alias : aliases) {
            RecordTransform t = one(alias, byAlias.getOrDefault(alias, Map.of()), problems);
            if (t != null) {
                chain = chain == null ? t : chain.andThen(t);
            }
        }
        return chain;
    }

    private static RecordTransform one(String alias, Map<String, String> settings, List<Problem> problems) {
        String typeKey = PREFIX + alias + ".type";
        String type = settings.get("type");
        if (type == null || type.isBlank()) {
            problems.add(new Problem(typeKey, null, "required for every alias in transforms: a ksbridge transform ("
                    + typeNames() + ") or a Kafka Connect Transformation class"));
            return null;
        }
        type = type.trim();
        if (settings.containsKey("predicate") || settings.containsKey("negate")) {
            problems.add(new Problem(PREFIX + alias + ".predicate", settings.get("predicate"), "Kafka Connect predicates"
                    + " are not supported; use a filter transform (transforms.<alias>.type=filter) instead"));
            return null;
        }
        BuiltIn b = builtIn(type.toLowerCase(Locale.ROOT));
        if (b != null) {
            Set<String> known = b.settings().keySet();
            int before = problems.size();
            for (String k : settings.keySet()) {
                if (!k.equals("type") && !known.contains(k)) {
                    problems.add(new Problem(PREFIX + alias + "." + k, null, "unknown setting for a " + type
                            + " transform; it reads " + String.join(", ", new java.util.TreeSet<>(known))));
                }
            }
            RecordTransform t = builtIn(alias, type.toLowerCase(Locale.ROOT), settings, problems);
            return problems.size() == before ? t : null;
        }
        if (!type.contains(".")) {
            problems.add(new Problem(typeKey, type, "unknown transform type: use one of "
                    + typeNames() + ", or a Kafka Connect Transformation class name"));
            return null;
        }
        int providers = 0;
        for (TransformProvider p : ServiceLoader.load(TransformProvider.class)) {
            providers++;
            if (p.supports(type)) {
                try {
                    return p.create(alias, settings);
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(typeKey, type, e.getMessage()));
                    return null;
                }
            }
        }
        if (providers == 0) {
            problems.add(new Problem(typeKey, type, "not a ksbridge transform, and no transform provider on the class"
                    + " path takes this class; to run Kafka Connect transformations, add the module " + CONNECT_MODULE
                    + " (and the jar of the transformation) to the class path"));
        } else {
            problems.add(new Problem(typeKey, type, "not a ksbridge transform, and no class of that name that the "
                    + "transform providers take (" + providers + " on the class path; " + CONNECT_MODULE + " takes"
                    + " Kafka Connect Transformation classes) is on the class path: check the name, or add the jar"
                    + " of the transformation"));
        }
        return null;
    }

    private static RecordTransform builtIn(String alias, String type, Map<String, String> s, List<Problem> problems) {
        String at = PREFIX + alias + ".";
        switch (type) {
            case "drop": {
                String[] f = fields(at, s, problems);
                return f == null ? null : Transforms.drop(f);
            }
            case "mask": {
                String[] f = fields(at, s, problems);
                return f == null ? null : Transforms.mask(s.getOrDefault("replacement", Transforms.DEFAULT_MASK), List.of(f));
            }
            case "hash": {
                String[] f = fields(at, s, problems);
                String key = s.get("hash.key");
                if (key == null || key.isEmpty()) {
                    problems.add(new Problem(at + "hash.key", null, "required for a hash transform: the HMAC-SHA256 key"));
                    return null;
                }
                return f == null ? null : Transforms.hash(Secret.of(key), f);
            }
            case "insert":
                return insert(at, s, problems);
            case "rename":
                return rename(at, s, problems);
            case "flatten":
                return Transforms.flatten(s.getOrDefault("separator", "."));
            default:
                return filter(at, s, problems);
        }
    }

    private static String[] fields(String at, Map<String, String> s, List<Problem> problems) {
        List<String> out = new ArrayList<>();
        for (String f : s.getOrDefault("fields", "").split(",")) {
            if (!f.isBlank()) {
                out.add(f.trim());
            }
        }
        if (out.isEmpty()) {
            problems.add(new Problem(at + "fields", s.get("fields"), "required: comma-separated top-level field names"));
            return null;
        }
        return out.toArray(new String[0]);
    }

    private static RecordTransform insert(String at, Map<String, String> s, List<Problem> problems) {
        String field = s.get("field");
        if (field == null || field.isBlank()) {
            problems.add(new Problem(at + "field", null, "required for an insert transform: the field to set"));
            return null;
        }
        field = field.trim();
        String value = s.get("value");
        String metadata = s.get("metadata");
        if ((value == null) == (metadata == null)) {
            problems.add(new Problem(at + "value", value, "an insert transform needs exactly one of value (a string)"
                    + " and metadata (topic, partition, offset, timestamp)"));
            return null;
        }
        if (value != null) {
            return Transforms.insert(field, LazyJson.ofString(value));
        }
        try {
            return Transforms.insertMetadata(field,
                    Transforms.MetadataField.valueOf(metadata.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(at + "metadata", metadata, "one of topic, partition, offset, timestamp"));
            return null;
        }
    }

    private static RecordTransform rename(String at, Map<String, String> s, List<Problem> problems) {
        Map<String, String> renames = new LinkedHashMap<>();
        String raw = s.getOrDefault("renames", "");
        for (String pair : raw.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int colon = pair.indexOf(':');
            String from = colon < 0 ? "" : pair.substring(0, colon).trim();
            String to = colon < 0 ? "" : pair.substring(colon + 1).trim();
            if (from.isEmpty() || to.isEmpty()) {
                problems.add(new Problem(at + "renames", raw, "pairs old:new separated by commas, for example a:b,c:d"));
                return null;
            }
            renames.put(from, to);
        }
        if (renames.isEmpty()) {
            problems.add(new Problem(at + "renames", s.get("renames"), "required: pairs old:new, for example a:b,c:d"));
            return null;
        }
        return Transforms.rename(renames);
    }

    private static RecordTransform filter(String at, Map<String, String> s, List<Problem> problems) {
        String field = s.get("field");
        String header = s.get("header");
        if ((field == null) == (header == null)) {
            problems.add(new Problem(at + "field", field, "a filter transform needs exactly one of field (a dotted"
                    + " path in the value) and header (a header name)"));
            return null;
        }
        String regex = s.get("regex");
        if (regex == null) {
            problems.add(new Problem(at + "regex", null, "required for a filter transform: a Java regular expression"
                    + " the field's text or the header's value is matched against (whole)"));
            return null;
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            problems.add(new Problem(at + "regex", regex, "not a Java regular expression: " + e.getDescription()));
            return null;
        }
        String onMatch = s.getOrDefault("on.match", "drop").trim().toLowerCase(Locale.ROOT);
        if (!onMatch.equals("drop") && !onMatch.equals("keep")) {
            problems.add(new Problem(at + "on.match", s.get("on.match"), "drop or keep"));
            return null;
        }
        boolean keepMatching = onMatch.equals("keep");
        if (field != null) {
            return Transforms.filterByField(field.trim(),
                    v -> (v != null && !v.isNull() && p.matcher(v.asText()).matches()) == keepMatching);
        }
        return Transforms.filterByHeader(header.trim(), v -> (v != null && p.matcher(v).matches()) == keepMatching);
    }
}
