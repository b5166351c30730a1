import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDistrictDateTime } from './dates.ts';
import { feedbackIn, SYSTEM_FEEDBACK } from './permissions.ts';
import { addressSortKey } from './residents.ts';
import {
  CONTROL_STATES,
  cleanPersonCode,
  missingOf,
  nextTestDue,
  PERSON_CODE_PATTERN,
  parseTestingFrequency,
  parseTestResult,
  requiredMode,
  statusSourceName,
  statusValueName,
  tooOldForInfant,
} from './testing.ts';

test('testing frequencies as the command centre writes them', () => {
  assert.deepEqual(parseTestingFrequency('每2天1次'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每天'), { kind: 'interval', days: 1 });
  assert.deepEqual(parseTestingFrequency('每周2次'), { kind: 'interval', days: 3 });
  assert.deepEqual(parseTestingFrequency('每周两次'), { kind: 'interval', days: 3 });
  assert.deepEqual(parseTestingFrequency('每周1次'), { kind: 'interval', days: 7 });
  assert.deepEqual(parseTestingFrequency('三天两检'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每周二、周五'), { kind: 'weekdays', weekdays: [2, 5] });
  assert.deepEqual(parseTestingFrequency('每周星期一和星期四'), { kind: 'weekdays', weekdays: [1, 4] });
  assert.deepEqual(parseTestingFrequency('每两天一次'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每三天一检'), { kind: 'interval', days: 3 });
  assert.deepEqual(parseTestingFrequency('隔天一次'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每隔一天一次'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每隔1天1次'), { kind: 'interval', days: 2 });
  assert.deepEqual(parseTestingFrequency('每隔两天一次'), { kind: 'interval', days: 3 });
  assert.deepEqual(parseTestingFrequency('周二、周五'), { kind: 'weekdays', weekdays: [2, 5] });
  assert.equal(parseTestingFrequency('二、五'), null);
  assert.equal(parseTestingFrequency('每0天1次'), null);
  assert.equal(parseTestingFrequency('不定期'), null);
  assert.equal(parseTestingFrequency(null), null);
  assert.equal(parseTestingFrequency('每周0次'), null);
});

test('who is due: intervals from the last test, weekdays on the listed days', () => {
  const every2 = { kind: 'interval', days: 2 } as const;
  assert.deepEqual(nextTestDue(every2, '2022-04-10', '2022-04-11'), { dueOn: '2022-04-12', overdue: false });
  assert.deepEqual(nextTestDue(every2, '2022-04-10', '2022-04-13'), { dueOn: '2022-04-12', overdue: true });
  assert.deepEqual(nextTestDue(every2, null, '2022-04-13'), { dueOn: '2022-04-13', overdue: false });
  // 2022-04-12 was a Tuesday, 04-15 a Friday.
  const tueFri = { kind: 'weekdays', weekdays: [2, 5] } as const;
  assert.deepEqual(nextTestDue(tueFri, '2022-04-12', '2022-04-13'), { dueOn: '2022-04-15', overdue: false });
  assert.deepEqual(nextTestDue(tueFri, '2022-04-12', '2022-04-16'), { dueOn: '2022-04-15', overdue: true });
  assert.deepEqual(nextTestDue(tueFri, null, '2022-04-13'), { dueOn: '2022-04-15', overdue: false });
  // Never tested since joining the class: due from the day they joined, so overdue in time.
  assert.deepEqual(nextTestDue(every2, null, '2022-04-13', '2022-04-10'), {
    dueOn: '2022-04-10',
    overdue: true,
  });
  assert.deepEqual(nextTestDue(tueFri, null, '2022-04-13', '2022-04-11'), {
    dueOn: '2022-04-12',
    overdue: true,
  });
  assert.deepEqual(nextTestDue(tueFri, null, '2022-04-13', '2022-04-13'), {
    dueOn: '2022-04-15',
    overdue: false,
  });
});

test('the sampling mode follows control state and key group', () => {
  const round = { defaultMode: 'mix10', singleTubeKeyGroups: ['cold_chain'] } as const;
  assert.equal(requiredMode(round, { controlState: null, keyGroups: [] }), 'mix10');
  assert.equal(requiredMode(round, { controlState: 'quarantined', keyGroups: [] }), 'single');
  assert.equal(requiredMode(round, { controlState: 'temporary_control', keyGroups: [] }), 'single');
  assert.equal(requiredMode(round, { controlState: 'released', keyGroups: [] }), 'mix10');
  // The community's own: home and central quarantine, home health monitoring.
  for (const controlState of ['home_quarantine', 'central_quarantine', 'health_monitoring'])
    assert.equal(requiredMode(round, { controlState, keyGroups: [] }), 'single', controlState);
  assert.equal(requiredMode(round, { controlState: null, keyGroups: ['teacher', 'cold_chain'] }), 'single');
  // Every control state but 解除管控 samples alone, written out here, so that a state added to the
  // list, or one dropped from the single-tube states, is a decision this test makes someone take.
  const alone = [
    'temporary_control',
    'handed_over',
    'quarantined',
    'central_quarantine',
    'home_quarantine',
    'health_monitoring',
  ];
  assert.deepEqual([...CONTROL_STATES].sort(), [...alone, 'released'].sort());
  for (const controlState of alone)
    assert.equal(requiredMode(round, { controlState, keyGroups: [] }), 'single', controlState);
});

test('results as labs write them; missing never below zero', () => {
  assert.equal(parseTestResult(' 阴性 '), 'negative');
  assert.equal(parseTestResult('Positive'), 'positive');
  assert.equal(parseTestResult('无效'), 'invalid');
  assert.equal(parseTestResult('可疑'), null);
  assert.equal(missingOf({ due: 10, sampled: 7, exempt: 2 }), 1);
  assert.equal(missingOf({ due: 3, sampled: 3, exempt: 1 }), 0);
});

test('lab times without an offset are read in the district, impossible dates refused', () => {
  assert.equal(parseDistrictDateTime('2022-04-10 08:30')?.toISOString(), '2022-04-10T00:30:00.000Z');
  assert.equal(parseDistrictDateTime('2022/4/10 8:30:15')?.toISOString(), '2022-04-10T00:30:15.000Z');
  assert.equal(parseDistrictDateTime('2022-04-10')?.toISOString(), '2022-04-09T16:00:00.000Z');
  assert.equal(parseDistrictDateTime('2022-04-10T08:30:00Z')?.toISOString(), '2022-04-10T08:30:00.000Z');
  assert.equal(parseDistrictDateTime('2022-02-30 10:00'), null);
  assert.equal(parseDistrictDateTime('昨天'), null);
});

test('status values: the system’s codes by name in either language, typed values as typed', () => {
  assert.equal(statusValueName('test_result', 'pool_positive', 'zh-CN'), '混管阳性（待单管复核）');
  assert.equal(statusValueName('control_state', 'temporary_control', 'zh'), '临时管控');
  assert.equal(statusValueName('control_state', 'temporary_control', 'en'), 'Temporary control');
  assert.equal(statusValueName('test_result', 'negative', 'zh'), '阴性');
  assert.equal(statusValueName('health_code', '绿码', 'en'), '绿码');
  assert.equal(statusValueName('control_state', '居家隔离', 'zh'), '居家隔离');
});

test('addresses sort by their key as a door-knocker walks them: numbers as numbers, full-width too', () => {
  const walking = (list: string[]) =>
    [...list].sort((a, b) =>
      addressSortKey(a) < addressSortKey(b) ? -1 : addressSortKey(a) > addressSortKey(b) ? 1 : 0,
    );
  const addresses = [
    '苑寨村第一组110号',
    '苑寨村第一组10号',
    '苑寨村第一组109号',
    '苑寨村第一组９号',
    '幸福家园8号楼10单元101',
    '幸福家园8号楼2单元301',
    '幸福家园12号楼1单元101',
  ];
  assert.deepEqual(
    walking(addresses).filter((a) => a.startsWith('苑寨村')),
    ['苑寨村第一组９号', '苑寨村第一组10号', '苑寨村第一组109号', '苑寨村第一组110号'],
  );
  assert.deepEqual(
    walking(addresses).filter((a) => a.startsWith('幸福家园')),
    ['幸福家园8号楼2单元301', '幸福家园8号楼10单元101', '幸福家园12号楼1单元101'],
  );
});

test('a status entry source is said in English when the system wrote it, as typed otherwise', () => {
  assert.equal(statusSourceName('检测管 D500700000', 'en'), 'Tube D500700000');
  assert.equal(statusSourceName('混管阳性 D500700000', 'en'), 'Positive pool D500700000');
  assert.equal(statusSourceName('复核阴性', 'en'), 'Recheck negative');
  assert.equal(statusSourceName('检测管 D500700000', 'zh-CN'), '检测管 D500700000');
  // A person's own words, and words that only start alike, stay as they are.
  assert.equal(statusSourceName('社区医生上门', 'en'), '社区医生上门');
  assert.equal(statusSourceName('检测管理员', 'en'), '检测管理员');
});

test('婴幼儿 is refused only for someone surely over three: a year of doubt goes the child’s way', () => {
  // Born in 2021: on 2025-01-02 they may still be 3 (a December birthday): not refused.
  assert.equal(tooOldForInfant(2021, '2025-01-02'), null);
  // Born in 2020: on 2025-01-02 they are at least 4.
  assert.equal(tooOldForInfant(2020, '2025-01-02'), 4);
  assert.equal(tooOldForInfant(1944, '2026-11-30'), 81);
  assert.equal(tooOldForInfant(null, '2026-11-30'), null);
});

test('a work item’s feedback is said in English when the system wrote it, as written otherwise', () => {
  assert.equal(
    feedbackIn(SYSTEM_FEEDBACK.recheckNegative.zh, 'en'),
    'Recheck negative: temporary control lifted',
  );
  assert.equal(feedbackIn(SYSTEM_FEEDBACK.recheckNegative.zh, 'zh-CN'), SYSTEM_FEEDBACK.recheckNegative.zh);
  assert.equal(feedbackIn('已电话联系，明早复核', 'en'), '已电话联系，明早复核');
  // Closed by the system over a person's word: the system's line said, theirs as written.
  assert.equal(
    feedbackIn(`${SYSTEM_FEEDBACK.recheckNegative.zh}\n已电话联系，明早复核`, 'en'),
    'Recheck negative: temporary control lifted\n已电话联系，明早复核',
  );
});

test('a GW2 person code is read as its typist meant it; a GW1 code is left as typed', () => {
  const minted = 'GW201ARZ3NDEKTSV4RRFFQ69G5FAV0123456789ABC';
  assert.equal(PERSON_CODE_PATTERN.test(minted), true);
  // Small letters, O for 0 and l/I for 1, groups with spaces or dashes, a full-width keyboard.
  assert.equal(cleanPersonCode('gw2o1arz3ndektsv4rrffq69g5fav0123456789abc'), minted);
  assert.equal(cleanPersonCode('GW2O 1ARZ-3NDE KTSV-4RRF FQ69 G5FA VO12 3456 789A BC'), minted);
  assert.equal(cleanPersonCode('ＧＷ２01ARZ3NDEKTSV4RRFFQ69G5FAV0123456789ABC'), minted);
  assert.equal(cleanPersonCode('GW2OIARZ3NDEKTSV4RRFFQ69G5FAVOl23456789ABC'), minted);
  // U is in no Crockford code (it is not read as V): refused, not guessed.
  assert.equal(PERSON_CODE_PATTERN.test(cleanPersonCode(`${minted.slice(0, -1)}U`)), false);
  // One character short or long is no code.
  assert.equal(PERSON_CODE_PATTERN.test(minted.slice(0, -1)), false);
  assert.equal(PERSON_CODE_PATTERN.test(`${minted}0`), false);
  // A GW1 code is case-sensitive base64url: never changed, so a typed variant fails its MAC.
  const legacy = 'GW1AZr-0_ZZ9abcdefghijklmnopqrstuvwxyz012';
  assert.equal(legacy.length, 41);
  assert.equal(cleanPersonCode(legacy), legacy);
  assert.equal(PERSON_CODE_PATTERN.test(legacy), true);
});
