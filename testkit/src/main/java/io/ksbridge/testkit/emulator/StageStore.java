package io.ksbridge.testkit.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The emulator's internal stages, each a folder on disk: named stages ({@code DB.SCHEMA.STAGE}) and table stages
 * ({@code DB.SCHEMA.%TABLE}, which exist with their table). A stage's folder is what a Snowflake client would call a
 * {@code LOCAL_FS} stage location: writing a file into it stages the file. Thread-safe.
 */
public final class StageStore {
    private final Path root;
    private final Map<String, Path> stages = new TreeMap<>();

    /** A stage holding its files under {@code root}. */
    public StageStore(Path root) {
        this.root = root;
    }

    /**
     * One staged file.
     *
     * @param path         the path inside the stage, with {@code /} separators
     * @param size         its size in bytes
     * @param md5          hex MD5 of its bytes
     * @param lastModified when it was last written
     */
    public record StagedFile(String path, long size, String md5, Instant lastModified) {
    }

    /**
     * Creates a stage (its folder), or does nothing when it exists.
     *
     * @param qualifiedName {@code DB.SCHEMA.STAGE} or {@code DB.SCHEMA.%TABLE}, resolved
     * @return whether it was created
     */
    public synchronized boolean create(String qualifiedName) {
        String key = TableStore.key(qualifiedName);
        if (stages.containsKey(key)) {
            return false;
        }
        Path dir = root.resolve(fsName(key));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stages.put(key, dir);
        return true;
    }

    /** Whether the stage exists. */
    public synchronized boolean exists(String qualifiedName) {
        return stages.containsKey(TableStore.key(qualifiedName));
    }

    /** Drops a stage and its files; true when it existed. */
    public synchronized boolean drop(String qualifiedName) {
        Path dir = stages.remove(TableStore.key(qualifiedName));
        if (dir == null) {
            return false;
        }
        deleteTree(dir);
        return true;
    }

    /**
     * The folder holding the stage's files.
     *
     * @throws NoSuchElementException when there is no such stage
     */
    public synchronized Path directory(String qualifiedName) {
        String key = TableStore.key(qualifiedName);
        Path dir = stages.get(key);
        if (dir == null) {
            throw new NoSuchElementException("Stage '" + key + "' does not exist or not authorized.");
        }
        return dir;
    }

    /**
     * Lists the stage's files whose path starts with {@code prefix}, sorted by path.
     *
     * @param prefix a path prefix inside the stage, {@code ""} for all
     */
    public List<StagedFile> list(String qualifiedName, String prefix) {
        // a file removed while the folder is walked makes the walk fail: walk again (the removal is then complete)
        for (int attempt = 1; ; attempt++) {
            try {
                return listOnce(qualifiedName, prefix);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private List<StagedFile> listOnce(String qualifiedName, String prefix) {
        Path dir = directory(qualifiedName);
        List<StagedFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().startsWith(".tmp-")) {
                    continue;
                }
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (rel.startsWith(prefix)) {
                    try {
                        byte[] bytes = Files.readAllBytes(p);
                        files.add(new StagedFile(rel, bytes.length, md5(bytes), Files.getLastModifiedTime(p).toInstant()));
                    } catch (java.nio.file.NoSuchFileException removedMeanwhile) {
                        // a concurrent REMOVE took it: it is not on the stage any more
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Reads one staged file, or returns null when it does not exist. */
    public byte[] read(String qualifiedName, String path) {
        Path file = directory(qualifiedName).resolve(path).normalize();
        try {
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one file onto the stage atomically (as a client's upload would). */
    public void write(String qualifiedName, String path, byte[] bytes) {
        Path file = directory(qualifiedName).resolve(path).normalize();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(".tmp-" + file.getFileName() + "-" + System.nanoTime());
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes the stage's files whose path starts with {@code prefix}.
     *
     * @return the removed paths
     */
    public List<String> remove(String qualifiedName, String prefix) {
        List<String> removed = new ArrayList<>();
        Path dir = directory(qualifiedName);
        for (StagedFile f : list(qualifiedName, prefix)) {
            try {
                if (Files.deleteIfExists(dir.resolve(f.path()))) {
                    removed.add(f.path());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return removed;
    }

    /** Hex MD5 of bytes. */
    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fsName(String key) {
        StringBuilder sb = new StringBuilder();
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '%' || c == '$' ? c : '_');
        }
        return sb + "-" + Integer.toHexString(key.hashCode());
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
