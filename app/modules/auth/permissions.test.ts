import { describe, expect, it } from "vitest";
import { permissionsFor } from "./permissions";

describe("permission map", () => {
  it("gives staff management and the audit log to partner global admins only", () => {
    expect(permissionsFor("partner", ["global_admin"]).has("staff:manage")).toBe(true);
    for (const role of ["admin_agent", "helpdesk_agent", "sales_agent", "billing_admin"]) {
      const p = permissionsFor("partner", [role]);
      expect(p.has("staff:manage"), role).toBe(false);
      expect(p.has("audit:view"), role).toBe(false);
      expect(p.has("profile:edit"), role).toBe(false);
      expect(p.has("profile:view"), role).toBe(true);
    }
  });

  it("unites the permissions of several roles and ignores unknown ones", () => {
    expect([...permissionsFor("partner", ["sales_agent", "global_admin", "wizard"])].sort()).toEqual(
      [...permissionsFor("partner", ["global_admin"])].sort(),
    );
    expect(permissionsFor("customer", ["global_admin"]).has("staff:manage")).toBe(false);
  });
});
