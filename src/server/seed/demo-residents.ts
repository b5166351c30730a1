import { fakerZH_CN as faker } from '@faker-js/faker';
import { sql } from 'drizzle-orm';
import { localDay } from '../../domain/dates.ts';
import { idCheckChar } from '../../domain/id-number.ts';
import type { ResidenceStatus } from '../../domain/residents.ts';
import { addDays } from '../../domain/testing.ts';
import type { Executor } from '../db/database.ts';
import { persons as personsTable } from '../db/schema.ts';
import { findGridsInScope } from '../modules/org/org-repository.ts';
import * as residents from '../modules/residents/resident-repository.ts';
import { buildPersonRow } from '../modules/residents/resident-rules.ts';
import { SYSTEM } from '../platform/access/actor.ts';
import { runWrite, type WriteDeps } from '../platform/audit/run-write.ts';
import type { PersonalDataCipher } from '../platform/crypto/personal-data-cipher.ts';
import { newId } from '../platform/ids.ts';

/** Picks from weighted choices with faker's seeded generator, so every demo district is the same. */
function weighted<T>(choices: [T, number][]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let r = faker.number.float({ min: 0, max: total });
  for (const [value, w] of choices) {
    r -= w;
    if (r <= 0) return value;
  }
  return choices[choices.length - 1][0];
}

const HOUSEHOLD_SIZES: [number, number][] = [
  [1, 15],
  [2, 25],
  [3, 25],
  [4, 20],
  [5, 10],
  [6, 5],
];
const STATUSES: [ResidenceStatus, number][] = [
  ['at_home', 70],
  ['commuting', 15],
  ['away', 10],
  ['visiting', 2],
  ['moved_out', 2],
  ['deceased', 1],
];

function birthDate(minAge: number, maxAge: number) {
  const d = faker.date.birthdate({ mode: 'age', min: minAge, max: maxAge });
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * About `target` synthetic residents in households of realistic sizes across every grid: generated
 * names, valid-checksum ID numbers with the 411602 prefix (the sequence number keeps them unique),
 * phones, residence statuses and key groups in plausible proportions. Marked synthetic on screen.
 */
export function generateDemoResidents(
  cipher: PersonalDataCipher,
  grids: { id: string; path: string; districtCode: string; parentName: string; name: string }[],
  target: number,
  keyGroupCodes: string[],
  /** ID numbers already handed out, so several batches never repeat one. */
  taken = new Set<string>(),
) {
  faker.seed(411602 + taken.size);
  const households: Parameters<typeof residents.insertHouseholds>[1] = [];
  const persons: residents.PersonInsert[] = [];
  const memberships: { personId: string; classCode: string; source: string; since: string }[] = [];
  let sequence = taken.size;
  const perGrid = Math.ceil(target / grids.length);
  for (const grid of grids) {
    let inGrid = 0;
    let door = 1;
    while (inGrid < perGrid && persons.length < target) {
      const size = weighted(HOUSEHOLD_SIZES);
      const address = grid.parentName.endsWith('村')
        ? `${grid.parentName}${grid.name.replace('网格', '组')}${door++}号`
        : `${grid.parentName}${Math.ceil(door / 12)}号楼${(door % 4) + 1}单元${100 * ((door++ % 6) + 1) + 1}室`;
      const householdId = newId();
      households.push({
        id: householdId,
        orgUnitId: grid.id,
        orgPath: grid.path,
        address,
        districtCode: grid.districtCode,
      });
      const surname = faker.person.lastName();
      for (let m = 0; m < size && persons.length < target; m++) {
        const child = m >= 2;
        const sex = faker.number.int(1) === 1 ? 'male' : 'female';
        const born = birthDate(child ? 1 : 20, child ? 17 : 85);
        // The sequence number's parity is the sex; walk it until the number is new.
        let first17 = '';
        do {
          sequence++;
          const seq3 = String(((sequence % 500) * 2 + (sex === 'male' ? 1 : 0)) % 1000).padStart(3, '0');
          first17 = `411602${born}${seq3}`;
        } while (taken.has(first17));
        taken.add(first17);
        const built = buildPersonRow(
          cipher,
          {
            name: surname + faker.person.firstName(sex),
            idNumber: first17 + idCheckChar(first17),
            phone: child
              ? null
              : `1${faker.helpers.arrayElement(['35', '37', '38', '39', '50', '58', '86', '87'])}${faker.string.numeric(8)}`,
            address,
            residenceStatus: weighted(STATUSES),
          },
          { orgUnitId: grid.id, orgPath: grid.path, districtCode: grid.districtCode, householdId },
          { synthetic: true },
        );
        if (!built.ok) continue;
        persons.push(built.row);
        inGrid++;
        if (!child && keyGroupCodes.length && faker.number.int(99) < 8) {
          memberships.push({
            personId: built.row.id as string,
            classCode: faker.helpers.arrayElement(keyGroupCodes),
            source: 'demo',
            // Joined in the last fortnight, as the demo's round is today: a date of April 2022
            // made every member never tested "overdue 1,700 days" on the key-group page.
            since: addDays(localDay(), -faker.number.int({ min: 1, max: 14 })),
          });
        }
      }
    }
  }
  return { households, persons, memberships };
}

/** Seeds the demo district's residents once, as one audited system write. */
export async function seedDemoResidents(
  deps: WriteDeps & { cipher: PersonalDataCipher },
  rootPath: string,
  target = 30_000,
) {
  const db = deps.database.db;
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(personsTable);
  if (n > 0) return 0;
  const grids = await findGridsInScope(db, [rootPath]);
  if (grids.length === 0) return 0;
  const codes = (await residents.findKeyGroupClasses(db)).map((c) => c.code);
  const data = generateDemoResidents(deps.cipher, grids, target, codes);
  return runWrite(deps, SYSTEM, 'resident.seed', async (tx: Executor) => {
    const batch = 1000;
    for (let i = 0; i < data.households.length; i += batch)
      await residents.insertHouseholds(tx, data.households.slice(i, i + batch));
    for (let i = 0; i < data.persons.length; i += batch)
      await residents.insertPersons(tx, data.persons.slice(i, i + batch));
    for (let i = 0; i < data.memberships.length; i += batch) {
      await residents.insertKeyGroupMemberships(tx, data.memberships.slice(i, i + batch));
    }
    return {
      result: data.persons.length,
      touched: {
        entity: 'resident',
        entityId: null,
        orgPath: rootPath,
        after: { synthetic: data.persons.length, households: data.households.length },
      },
    };
  });
}
