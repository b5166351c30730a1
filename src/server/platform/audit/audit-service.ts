import { type Actor, coversWholeTree } from '../access/actor.ts';
import { requireScope } from '../access/require.ts';
import type { AppDeps } from '../deps.ts';
import { toLimitOffset } from '../pagination.ts';
import { type AuditFilter, findAuditEvents } from './audit-repository.ts';

/** An auditor sees the events of records in their subtrees; one holding a whole tree sees all. */
export async function listAuditEvents(
  deps: AppDeps,
  actor: Actor,
  query: AuditFilter & { page: number; pageSize: number },
) {
  const paths = requireScope(actor, 'audit.read');
  const { items, total } = await findAuditEvents(
    deps.database.db,
    { paths, wholeTree: coversWholeTree(paths) },
    query,
    toLimitOffset(query),
  );
  return { items: items.map(({ orgPath: _orgPath, ...e }) => ({ ...e, at: e.at.toISOString() })), total };
}
