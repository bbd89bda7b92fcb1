package io.sluice.core.access;

import io.sluice.core.table.TableName;
import java.util.List;

/** Who is calling, as far as tables go: the grants its token carries. */
public final class Caller {
  /** A caller allowed everything: no access control configured, or the administrator's token. */
  public static final Caller ANYONE =
      new Caller("anyone", List.of(new Grant(Permission.ADMIN, "*")));

  private final String name;
  private final List<Grant> grants;

  public Caller(String name, List<Grant> grants) {
    this.name = name;
    this.grants = List.copyOf(grants);
  }

  /** The caller's name from the grants file, for messages and logs (never the token). */
  public String name() {
    return name;
  }

  public List<Grant> grants() {
    return grants;
  }

  /** Whether the caller may do {@code permission} to {@code table}. */
  public boolean may(Permission permission, TableName table) {
    return grants.stream().anyMatch(g -> g.allows(permission, table));
  }

  /**
   * @throws ForbiddenException when the caller may not do {@code permission} to {@code table}
   */
  public void check(Permission permission, TableName table) {
    if (!may(permission, table)) {
      throw new ForbiddenException(
          "%s may not %s table %s: no %s grant covers it"
              .formatted(name, permission.apiName(), table, permission.apiName()));
    }
  }

  @Override
  public String toString() {
    return "Caller[" + name + ", " + grants + "]";
  }
}
