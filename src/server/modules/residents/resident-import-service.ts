import { inEffect, localDay } from '../../../domain/dates.ts';
import { type Actor, coversWholeTree, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import {
  exactLookupsLeft,
  ID_GUESS_REFUSED,
  idGuessesRefused,
  throttleExactLookups,
} from '../../platform/access/lookup-throttle.ts';
import { requireScope } from '../../platform/access/require.ts';
import { runWrite } from '../../platform/audit/run-write.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { AppError, forbidden } from '../../platform/errors/app-error.ts';
import { text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { findGridsInScope } from '../org/org-repository.ts';
import {
  buildTemplate,
  COLUMNS,
  columnOf,
  type GridChoice,
  type RowError,
  readImportFile,
  writeExport,
} from './resident-excel.ts';
import * as repo from './resident-repository.ts';
import { buildPersonRow } from './resident-rules.ts';
import { type ResidentQuery, residentFilter } from './resident-service.ts';

const BATCH = 1000;

/** A file whose check would look up more whole numbers outside the importer's reach than are left. */
const tooManyOutside = () => {
  const why = text(
    '文件中已在您管辖范围以外登记的证件号码过多，核验过于频繁：请 10 分钟后再试，或请上级单位导入',
    'Too many ID numbers in the file are registered outside your area: try again in 10 minutes, or ask the unit above to import',
  );
  return new AppError('TOO_MANY_ATTEMPTS', why, { file: why });
};

async function gridChoices(deps: AppDeps, scope: string[]): Promise<GridChoice[]> {
  return (await findGridsInScope(deps.database.db, scope)).map((g) => ({
    label: `${g.parentName}/${g.name}`,
    id: g.id,
    path: g.path,
    districtCode: g.districtCode,
  }));
}

export async function importTemplate(deps: AppDeps, actor: Actor) {
  return buildTemplate(await gridChoices(deps, requireScope(actor, 'resident.import')));
}

export interface ImportReport {
  total: number;
  valid: number;
  imported: number;
  errors: RowError[];
}

/**
 * Imports residents from an xlsx: a dry run reports every bad row (shape, the registry's rules,
 * duplicates within the file and against the registry) and writes nothing; a confirmed import is
 * all-or-nothing, in one transaction with one audit event.
 */
export async function importResidents(
  deps: AppDeps,
  actor: Actor,
  file: Buffer,
  options: { dryRun: boolean; onProgress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  const scope = requireScope(actor, 'resident.import');
  const today = localDay();
  const keyGroupCodes = new Map(
    (await repo.findKeyGroupClasses(deps.database.db))
      .filter((c) => inEffect(c, today))
      .map((c) => [c.name, c.code]),
  );
  const { rows, errors, total } = await readImportFile(file, await gridChoices(deps, scope), keyGroupCodes);
  if (total === 0) {
    throw new AppError('VALIDATION', text('文件中没有数据行', 'The file has no data rows'), {
      file: text('没有数据行', 'No rows'),
    });
  }

  const built: { row: number; idNumber: string; person: repo.PersonInsert; keyGroups: string[] }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const r of rows) {
    const b = buildPersonRow(
      deps.cipher,
      r.input,
      { orgUnitId: r.grid.id, orgPath: r.grid.path, districtCode: r.grid.districtCode, householdId: null },
      { sealed: !options.dryRun },
    );
    if (!b.ok) {
      // The rules name a field by the template's column key; a rule of the whole row names the ID.
      const key = COLUMNS.find((c) => c.key === b.field)?.key ?? 'idNumber';
      errors.push({ row: r.row, column: columnOf(key), message: b.reason });
      continue;
    }
    const earlier = firstRowOf.get(b.row.idHash);
    if (earlier) {
      errors.push({
        row: r.row,
        column: columnOf('idNumber'),
        message: text(`与第${earlier}行证件号码重复`, `The same ID number as row ${earlier}`),
      });
      continue;
    }
    firstRowOf.set(b.row.idHash, r.row);
    built.push({ row: r.row, idNumber: r.input.idNumber, person: b.row, keyGroups: r.keyGroups });
  }
  // Checked against the registry, each row is a duplicate check: beyond a few numbers of one
  // masked ID (a guess at someone's birth date) a row is not checked, and says so.
  const db = deps.database.db;
  const refused = await idGuessesRefused(
    db,
    deps.cipher,
    actor,
    built.map((b) => ({ idNumber: b.idNumber, key: b.person.idHash })),
  );
  for (const b of built)
    if (refused.has(b.person.idHash))
      errors.push({ row: b.row, column: columnOf('idNumber'), message: ID_GUESS_REFUSED });
  const checked = built.filter((b) => !refused.has(b.person.idHash));
  // "Already registered" of someone outside the actor's reach says a number is someone's, as the
  // form's duplicate check does: counted against the same limit of lookups by a whole number, so
  // a file is no way round it (a dry run of 100,000 numbers would be an unthrottled oracle). The
  // limit is judged before any number is looked at, and a file finding more than are left is
  // refused whole: whether a file is refused never turns on whether one number is registered.
  const readable = scopePaths(actor, 'resident.read');
  // Who reads the whole registry finds nothing outside their reach: no lookup of theirs is counted.
  const left = coversWholeTree(readable) ? Number.POSITIVE_INFINITY : await exactLookupsLeft(db, actor);
  if (left === 0 && checked.length > 0) throw tooManyOutside();
  const outside: string[] = [];
  const registered: typeof checked = [];
  for (let i = 0; i < checked.length; i += BATCH) {
    const slice = checked.slice(i, i + BATCH);
    const existing = await repo.findExistingIdHashes(
      db,
      slice.map((b) => b.person.idHash),
    );
    for (const b of slice) {
      const orgPath = existing.get(b.person.idHash);
      if (orgPath === undefined) continue;
      if (!pathInScope(orgPath, readable)) outside.push(b.person.idHash);
      registered.push(b);
    }
  }
  if (new Set(outside).size > left) throw tooManyOutside();
  // Counted all together (another request of theirs may have taken some of what was left).
  await throttleExactLookups(db, deps.cipher, actor, outside, tooManyOutside);
  for (const b of registered)
    errors.push({
      row: b.row,
      column: columnOf('idNumber'),
      message: text(
        '该证件号码已在登记册中，不能重复导入',
        'This ID number is in the registry already: not imported twice',
      ),
    });
  errors.sort((a, b) => a.row - b.row);
  const valid = total - new Set(errors.map((e) => e.row)).size;
  if (options.dryRun) return { total, valid, imported: 0, errors };
  if (errors.length) {
    throw new AppError(
      'VALIDATION',
      text(
        `有 ${errors.length} 处错误，未导入任何数据，请修正后重新上传`,
        `${errors.length === 1 ? '1 problem' : `${errors.length} problems`}: nothing imported; correct the file and upload it again`,
      ),
      undefined,
      {
        total,
        valid,
        errors,
      },
    );
  }

  const imported = await runWrite(deps, actor, 'resident.import', async (tx) => {
    const since = today;
    // People at one address in one grid are one household.
    const householdOf = new Map<string, string>();
    for (let i = 0; i < built.length; i += BATCH) {
      const slice = built.slice(i, i + BATCH);
      const households: Parameters<typeof repo.insertHouseholds>[1] = [];
      for (const b of slice) {
        const key = `${b.person.orgUnitId}|${b.person.address}`;
        let householdId = householdOf.get(key);
        if (!householdId) {
          householdId = newId();
          householdOf.set(key, householdId);
          households.push({
            id: householdId,
            orgUnitId: b.person.orgUnitId,
            orgPath: b.person.orgPath,
            address: b.person.address,
            districtCode: b.person.districtCode,
          });
        }
        b.person.householdId = householdId;
      }
      await repo.insertHouseholds(tx, households);
      await repo.insertPersons(
        tx,
        slice.map((b) => b.person),
      );
      await repo.insertKeyGroupMemberships(
        tx,
        slice.flatMap((b) =>
          b.keyGroups.map((classCode) => ({
            personId: b.person.id as string,
            classCode,
            source: 'import',
            since,
          })),
        ),
      );
      options.onProgress?.(Math.min(i + BATCH, built.length), built.length);
    }
    const paths = [...new Set(built.map((b) => b.person.orgPath))];
    return {
      result: built.length,
      touched: {
        entity: 'resident',
        entityId: null,
        orgPath: paths.length === 1 ? paths[0] : (scopePaths(actor, 'resident.import')[0] ?? null),
        after: { imported: built.length, grids: paths.length },
      },
    };
  });
  return { total, valid, imported, errors: [] };
}

/** The current search as xlsx; unmasked only for a holder of personal.export who asks. Audited either way. */
export async function exportResidents(
  deps: AppDeps,
  actor: Actor,
  query: ResidentQuery & { unmasked?: boolean },
) {
  const readScope = requireScope(actor, 'resident.read');
  let scope = readScope;
  if (query.unmasked) {
    // Unmasked rows only where the actor may both read and export: the two scopes' intersection.
    const exportScope = requireScope(actor, 'personal.export');
    scope = [
      ...new Set([
        ...readScope.filter((p) => pathInScope(p, exportScope)),
        ...exportScope.filter((p) => pathInScope(p, readScope)),
      ]),
    ];
    if (scope.length === 0) throw forbidden();
  }
  const filter = await residentFilter(deps, actor, scope, query);
  const { total } = await repo.findResidents(deps.database.db, scope, filter, { limit: 1, offset: 0 });
  await runWrite(deps, actor, 'resident.export', async () => ({
    result: null,
    touched: {
      entity: 'resident',
      entityId: null,
      orgPath: filter.subtreePath ?? scope[0] ?? null,
      after: {
        rows: total,
        unmasked: Boolean(query.unmasked),
        filters: { ...query, q: query.q ? '[已隐藏]' : undefined },
      },
      publish: false,
    },
  }));
  return writeExport(
    deps.cipher,
    repo.streamResidents(deps.database.db, scope, filter),
    Boolean(query.unmasked),
  );
}
