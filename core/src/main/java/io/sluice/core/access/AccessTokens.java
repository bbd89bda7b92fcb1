package io.sluice.core.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens a server accepts and the caller each stands for, from a grants file:
 *
 * <pre>{@code
 * {"tokens": [
 *   {"name": "analysts", "token": "...", "grants": {"read": ["sales.*"]}},
 *   {"name": "loader", "token": "...", "grants": {"write": ["sales.orders"]}},
 *   {"name": "ops", "token": "...", "grants": {"admin": ["*"]}}]}
 * }</pre>
 */
public final class AccessTokens {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Caller> callers;

  private AccessTokens(Map<String, Caller> callers) {
    this.callers = Map.copyOf(callers);
  }

  /** The tokens of a grants file. */
  public static AccessTokens load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the grants file " + file, e);
    }
  }

  /**
   * The tokens of a grants file's text.
   *
   * @throws IllegalArgumentException naming what is wrong and where
   */
  public static AccessTokens parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the grants file " + source + ": " + e, e);
    }
    JsonNode tokens = root == null ? null : root.get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw new IllegalArgumentException(
          "Cannot read the grants file " + source + ": it needs an array \"tokens\"");
    }
    Map<String, Caller> callers = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (JsonNode entry : tokens) {
      String where = "%s: tokens[%d]".formatted(source, index++);
      String token = entry.path("token").asText("");
      String name = entry.path("name").asText("");
      if (token.length() < 16) {
        throw new IllegalArgumentException(where + ": \"token\" must be at least 16 characters");
      }
      if (name.isBlank() || !names.add(name)) {
        throw new IllegalArgumentException(where + ": \"name\" must be given and unique");
      }
      List<Grant> grants = new ArrayList<>();
      JsonNode byPermission = entry.path("grants");
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) byPermission::fields) {
        Permission permission;
        try {
          permission = Permission.valueOf(field.getKey().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              where + ": unknown permission \"" + field.getKey() + "\" (read, write or admin)");
        }
        for (JsonNode pattern : field.getValue()) {
          try {
            grants.add(new Grant(permission, pattern.asText()));
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
          }
        }
      }
      if (callers.put(token, new Caller(name, grants)) != null) {
        throw new IllegalArgumentException(where + ": the same token is given twice");
      }
    }
    return new AccessTokens(callers);
  }

  /** The caller a bearer token stands for, compared in constant time with every token. */
  public Optional<Caller> caller(String token) {
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    Caller found = null;
    for (Map.Entry<String, Caller> entry : callers.entrySet()) {
      if (MessageDigest.isEqual(given, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = entry.getValue();
      }
    }
    return Optional.ofNullable(found);
  }
}
