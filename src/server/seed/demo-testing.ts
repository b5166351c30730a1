import { sql } from 'drizzle-orm';
import { localDay } from '../../domain/dates.ts';
import { addDays } from '../../domain/testing.ts';
import type { Executor } from '../db/database.ts';
import { queryRows } from '../db/rows.ts';
import { recountRoundCoverage } from '../modules/testing/testing-repository.ts';
import { SYSTEM } from '../platform/access/actor.ts';
import { runWrite, type WriteDeps } from '../platform/audit/run-write.ts';
import { newId } from '../platform/ids.ts';

/**
 * The demo district's round in progress (第5轮, as in April 2022): a collection point in every
 * community and village, and about seven in ten of the people due already sampled into 10混1 tubes,
 * so coverage, the missing lists and the sampler's page have something real to show; and two
 * labs to hand the sealed tubes to. Set-based
 * SQL: the seed must not slow the first start.
 */
export async function seedDemoRound(deps: WriteDeps, rootPath: string) {
  const db = deps.database.db;
  const [existing] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from test_rounds`);
  if ((existing?.n ?? 0) > 0) return 0;
  const [root] = await queryRows<{ id: string; districtCode: string }>(
    db,
    sql`select id, district_code as "districtCode" from org_units where path = ${rootPath}`,
  );
  if (!root) return 0;
  const today = localDay();
  const roundId = newId();
  return runWrite(deps, SYSTEM, 'test-round.seed', async (tx: Executor) => {
    await tx.execute(
      sql`insert into test_rounds (id, name, org_unit_id, org_path, starts_on, ends_on, default_mode, single_tube_key_groups, district_code)
          values (${roundId}, '第5轮全员核酸检测', ${root.id}, ${rootPath}, ${today}, ${addDays(today, 1)}, 'mix10',
                  array['medical', 'cold_chain'], ${root.districtCode})`,
    );
    await tx.execute(
      sql`insert into collection_points (id, round_id, name, org_unit_id, org_path, place, hours, district_code)
          select gen_random_uuid(), ${roundId}, u.name || '核酸采样点', u.id, u.path,
                 case when u.level = 'village' then '村委会大院' else '社区广场' end, '07:00-11:30，15:00-18:00', u.district_code
          from org_units u where u.level in ('community', 'village') and u.path like ${`${rootPath}.%`}`,
    );
    const [sampled] = await queryRows<{ n: number }>(
      tx,
      sql`with picked as (
            select p.id, cp.id as point_id, cp.org_path, cp.district_code,
                   (row_number() over (partition by cp.id order by p.org_path, p.household_id, p.id) - 1) / 10 as k
            from persons p join collection_points cp on cp.round_id = ${roundId} and p.org_path like cp.org_path || '.%'
            where p.merged_into is null and p.residence_status in ('at_home', 'commuting', 'visiting')
              and abs(hashtext(p.id::text)) % 10 < 7),
          opened as (
            insert into tubes (id, code, round_id, point_id, org_path, mode, capacity, member_count, state, sealed_at, district_code)
            select gen_random_uuid(), 'D5' || lpad(dense_rank() over (order by point_id)::text, 3, '0') || lpad(k::text, 5, '0'),
                   ${roundId}, point_id, org_path, 'mix10', 10, count(*)::int,
                   case when count(*) = 10 then 'sealed' else 'opened' end,
                   case when count(*) = 10 then now() end, district_code
            from picked group by point_id, org_path, district_code, k
            returning id, point_id, code),
          numbered as (
            select p.*, 'D5' || lpad(dense_rank() over (order by p.point_id)::text, 3, '0') || lpad(p.k::text, 5, '0') as code
            from picked p),
          added as (
            insert into tube_members (round_id, person_id, tube_id, scanned_at)
            select ${roundId}, n.id, o.id, now() - (random() * interval '3 hours')
            from numbered n join opened o on o.code = n.code
            returning person_id)
          select count(*)::int as n from added`,
    );
    // The labs the points send to: the city CDC's and a contracted one, serving the whole district.
    await tx.execute(
      sql`insert into labs (id, name, org_unit_id, org_path, district_code)
          values (gen_random_uuid(), '周口市疾控中心实验室', ${root.id}, ${rootPath}, ${root.districtCode}),
                 (gen_random_uuid(), '港区第三方医学检验实验室', ${root.id}, ${rootPath}, ${root.districtCode})
          on conflict do nothing`,
    );
    await recountRoundCoverage(tx, roundId);
    return {
      result: sampled?.n ?? 0,
      touched: {
        entity: 'test_round',
        entityId: roundId,
        orgPath: rootPath,
        after: { name: '第5轮全员核酸检测', sampled: sampled?.n ?? 0, synthetic: true },
      },
    };
  });
}
