package io.ksbridge.ingest.snowpipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes staged files into {@code root/<stage>/}: to a temporary name, then renamed, so a reader never sees half a
 * file. Only ever configured explicitly ({@link StageUploader#localDirectory}). Thread-safe.
 */
final class LocalStageUploader implements StageUploader {
    private final Path root;

    LocalStageUploader(Path root) {
        this.root = java.util.Objects.requireNonNull(root, "root must not be null");
    }

    @Override
    public void upload(String stage, String path, byte[] data) throws IOException {
        Path folder = root.resolve(stage.replace("\"", "")); // DB.SCHEMA.STAGE, the resolved names
        Path file = folder.resolve(path).normalize();
        if (!file.startsWith(folder)) {
            throw new IOException("path " + path + " leaves the stage folder");
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(".tmp-" + file.getFileName() + "-" + Thread.currentThread().getId() + "-" + System.nanoTime());
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return "LocalStageUploader{" + root + "}";
    }
}
