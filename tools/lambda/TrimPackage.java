import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Trims an AWS Lambda deployment package (a Quarkus {@code function.zip}) in place for one
 * architecture: every jar in it loses the native libraries built for any other platform than
 * Linux (glibc) on that architecture. Then it checks the unzipped size against Lambda's 250 MB
 * limit and writes the architecture and the size beside the zip ({@code function.zip.arch}, {@code
 * function.zip.size}), where Terraform and the validation test read them.
 *
 * <p>Run by each lambda module's build as a single-file program: {@code java TrimPackage.java
 * target/function.zip arm64|x86_64}. A native library whose path names no platform is kept.
 * Entries are deleted through the zip file system, which copies the rest without recompressing
 * them.
 */
public final class TrimPackage {
  /** Lambda's limit on a function's unzipped code and layers, in bytes. */
  static final long LIMIT = 250L * 1000 * 1000;

  private static final Set<String> SYSTEMS =
      Set.of(
          "linux", "darwin", "mac", "macos", "osx", "windows", "win", "win32", "freebsd", "aix",
          "sunos", "linux-android", "linux-musl", "android", "musl");
  private static final Map<String, Set<String>> ARCHES =
      Map.of("x86_64", Set.of("x86_64", "amd64", "x86-64"), "arm64", Set.of("aarch64", "arm64"));
  private static final List<String> NATIVE_SUFFIXES =
      List.of(".so", ".dylib", ".dll", ".jnilib", ".a");

  public static void main(String[] args) throws IOException {
    Path zip = Path.of(args[0]).toAbsolutePath();
    String arch = args[1];
    if (!ARCHES.containsKey(arch)) {
      throw new IllegalArgumentException("Cannot trim for architecture " + arch + ": use arm64 or x86_64");
    }
    long before = unzippedSize(zip);
    List<String> jars = new ArrayList<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (name.endsWith(".jar")) {
          jars.add(name);
        }
      }
    }
    Path work = Files.createTempDirectory(zip.getParent(), "trim");
    try (FileSystem outer = FileSystems.newFileSystem(zip, Map.of())) {
      for (String jar : jars) {
        Path inner = work.resolve(Path.of(jar).getFileName().toString());
        Files.copy(outer.getPath(jar), inner);
        if (trimJar(inner, arch)) {
          Files.copy(inner, outer.getPath(jar), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(inner);
      }
      try (Stream<Path> entries = Files.walk(outer.getPath("/"))) {
        for (Path entry : entries.filter(p -> isForeignNative(p.toString(), arch)).toList()) {
          Files.delete(entry);
        }
      }
    } finally {
      Files.deleteIfExists(work);
    }
    long after = unzippedSize(zip);
    System.out.printf(
        Locale.ROOT,
        "%s for %s: %.1f MB zipped, %.1f MB unzipped (Lambda's limit: 250 MB); %.1f MB of natives"
            + " for other platforms removed%n",
        zip.getFileName(),
        arch,
        Files.size(zip) / 1e6,
        after / 1e6,
        (before - after) / 1e6);
    Files.writeString(zip.resolveSibling(zip.getFileName() + ".size"), after + "\n");
    Files.writeString(zip.resolveSibling(zip.getFileName() + ".arch"), arch + "\n");
    if (after >= LIMIT) {
      System.err.printf(
          "Cannot deploy %s: %d bytes unzipped exceed Lambda's limit of %d%n", zip, after, LIMIT);
      System.exit(1);
    }
  }

  /** Deletes the jar's foreign natives; whether it had any. */
  private static boolean trimJar(Path jar, String arch) throws IOException {
    List<String> foreign = new ArrayList<>();
    try (ZipFile file = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (isForeignNative(name, arch)) {
          foreign.add(name);
        }
      }
    }
    if (foreign.isEmpty()) {
      return false;
    }
    try (FileSystem fs = FileSystems.newFileSystem(jar)) {
      for (String name : foreign) {
        Files.delete(fs.getPath(name));
      }
    }
    return true;
  }

  private static long unzippedSize(Path zip) throws IOException {
    long size = 0;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        size += Math.max(0, e.nextElement().getSize());
      }
    }
    return size;
  }

  /**
   * Whether a path is a native library for another platform than Linux (glibc) on {@code arch}: its
   * path segments (or, for DuckDB's {@code libduckdb_java.so_linux_amd64}, the name's parts) name
   * an operating system, and not that one with that architecture.
   */
  static boolean isForeignNative(String path, String arch) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith("/")) {
      return false;
    }
    String name = lower.substring(lower.lastIndexOf('/') + 1);
    boolean nativeLib =
        NATIVE_SUFFIXES.stream().anyMatch(name::endsWith) || name.matches(".*\\.so_[a-z0-9_]+");
    if (!nativeLib) {
      return false;
    }
    boolean namesSystem = false;
    boolean linux = false;
    boolean sameArch = false;
    for (String token : lower.split("[/_]")) {
      namesSystem |= SYSTEMS.contains(token);
      linux |= token.equals("linux");
      sameArch |= ARCHES.get(arch).contains(token);
    }
    if (lower.contains("x86_64")) {
      sameArch = arch.equals("x86_64");
    }
    return namesSystem && !(linux && sameArch);
  }
}
