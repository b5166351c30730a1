import { and, asc, eq, ilike, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/database.ts';
import { queryRows } from '../../db/rows.ts';
import { orgUnits } from '../../db/schema.ts';
import { inScope, overlapsScope } from '../../platform/access/scope-sql.ts';

export type OrgUnitRow = typeof orgUnits.$inferSelect;

// Spelled out: inside a subquery Drizzle's unqualified column names would bind to the inner table.
const childCount = sql<number>`(select count(*)::int from org_units c where c.parent_id = org_units.id)`;
// Names repeat (every community has its 第一网格): the parent's tells them apart in a search.
const parentName = sql<string | null>`(select p.name from org_units p where p.id = org_units.parent_id)`;

const columns = {
  id: orgUnits.id,
  parentId: orgUnits.parentId,
  name: orgUnits.name,
  level: orgUnits.level,
  code: orgUnits.code,
  path: orgUnits.path,
  depth: orgUnits.depth,
  districtCode: orgUnits.districtCode,
  childCount,
  parentName,
};

export type OrgUnitListRow = {
  id: string;
  parentId: string | null;
  name: string;
  level: string;
  code: string | null;
  path: string;
  depth: number;
  districtCode: string;
  childCount: number;
  parentName: string | null;
};

export async function findOrgUnitInScope(
  db: Executor,
  scope: string[],
  id: string,
): Promise<OrgUnitListRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(orgUnits)
    .where(and(eq(orgUnits.id, id), inScope(orgUnits.path, scope)));
  return row;
}

/**
 * The path of a unit whose subtree meets the scope (inside it, or above it: a community's staff
 * pick within the district's round), to narrow the scope to that subtree.
 */
export async function findOrgUnitPathOverlapping(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select({ path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.id, id), overlapsScope(orgUnits.path, scope)));
  return row?.path;
}

export async function findOrgUnitsInScope(db: Executor, scope: string[], ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select(columns)
    .from(orgUnits)
    .where(and(inArray(orgUnits.id, ids), inScope(orgUnits.path, scope)));
}

export async function findOrgUnitsByPaths(db: Executor, paths: string[]) {
  if (paths.length === 0) return [];
  return db.select(columns).from(orgUnits).where(inArray(orgUnits.path, paths)).orderBy(asc(orgUnits.path));
}

/**
 * The district units of district codes: where a district's command centre sits, whatever lies
 * above it in the tree (a city's or a province's units).
 */
export async function findDistrictUnits(db: Executor, districtCodes: string[]) {
  if (districtCodes.length === 0) return [];
  return db
    .select(columns)
    .from(orgUnits)
    .where(and(inArray(orgUnits.districtCode, districtCodes), eq(orgUnits.level, 'district')))
    .orderBy(asc(orgUnits.path));
}

export async function findChildrenInScope(
  db: Executor,
  scope: string[],
  filter: { parentId?: string; q?: string; level?: string },
  page: { limit: number; offset: number },
) {
  const where = and(
    inScope(orgUnits.path, scope),
    filter.parentId ? eq(orgUnits.parentId, filter.parentId) : undefined,
    filter.q ? ilike(orgUnits.name, `%${filter.q}%`) : undefined,
    filter.level ? eq(orgUnits.level, filter.level) : undefined,
  );
  const [items, [{ total }]] = await Promise.all([
    db
      .select(columns)
      .from(orgUnits)
      .where(where)
      .orderBy(asc(orgUnits.serial))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(orgUnits).where(where),
  ]);
  return { items, total };
}

/** Names of the nodes above a path, for breadcrumbs (a grant on a grid still shows its community's name). */
export async function findAncestors(db: Executor, path: string) {
  const segments = path.split('.');
  const paths = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('.'));
  if (paths.length === 0) return [];
  return db
    .select({ id: orgUnits.id, name: orgUnits.name, level: orgUnits.level })
    .from(orgUnits)
    .where(inArray(orgUnits.path, paths))
    .orderBy(asc(orgUnits.depth));
}

export async function siblingNameTaken(db: Executor, parentId: string, name: string, exceptId?: string) {
  const [row] = await db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(
      and(
        eq(orgUnits.parentId, parentId),
        eq(orgUnits.name, name),
        exceptId ? sql`${orgUnits.id} <> ${exceptId}` : undefined,
      ),
    );
  return Boolean(row);
}

/**
 * Inserts a node under its parent; the path's last segment is the node's own serial in base 36,
 * taken from the sequence first, so it is unique without a lock and never changes.
 */
export async function insertOrgUnit(
  db: Executor,
  row: {
    id: string;
    parent: { id: string; path: string; depth: number } | null;
    name: string;
    level: string;
    code: string | null;
    districtCode: string;
  },
) {
  const [{ serial }] = await queryRows<{ serial: string }>(
    db,
    sql`select nextval(pg_get_serial_sequence('org_units', 'serial'))::text as serial`,
  );
  const segment = Number(serial).toString(36);
  const path = row.parent ? `${row.parent.path}.${segment}` : (row.code ?? segment);
  await db.insert(orgUnits).values({
    id: row.id,
    serial: Number(serial),
    parentId: row.parent?.id ?? null,
    name: row.name,
    level: row.level,
    code: row.code,
    path,
    depth: row.parent ? row.parent.depth + 1 : 0,
    districtCode: row.districtCode,
  });
  return path;
}

export async function updateOrgUnitRow(
  db: Executor,
  id: string,
  patch: { name?: string; code?: string | null },
) {
  await db
    .update(orgUnits)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(orgUnits.id, id));
}

/** The grids inside a scope with their parent's name, for pickers and import files. */
export async function findGridsInScope(db: Executor, scope: string[]) {
  const parent = alias(orgUnits, 'parent');
  return db
    .select({
      id: orgUnits.id,
      path: orgUnits.path,
      name: orgUnits.name,
      parentName: parent.name,
      districtCode: orgUnits.districtCode,
    })
    .from(orgUnits)
    .innerJoin(parent, eq(parent.id, orgUnits.parentId))
    .where(and(eq(orgUnits.level, 'grid'), inScope(orgUnits.path, scope)))
    .orderBy(asc(orgUnits.path));
}
