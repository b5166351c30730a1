import assert from 'node:assert/strict';
import { test } from 'node:test';
import { districtWallClock, endOfLocalDay, inEffect, localDay, parseDistrictDateTime } from './dates.ts';

test('the district’s day starts at midnight in Asia/Shanghai, not UTC', () => {
  assert.equal(localDay(new Date('2022-04-11T23:30:00Z')), '2022-04-12');
  assert.equal(localDay(new Date('2022-04-12T15:59:00Z')), '2022-04-12');
});

test('the remembered day of the last minute never answers for another minute', () => {
  // Either side of local midnight, back and forth, and twice within one minute.
  assert.equal(localDay(new Date('2022-04-12T15:59:59.999Z')), '2022-04-12');
  assert.equal(localDay(new Date('2022-04-12T16:00:00.000Z')), '2022-04-13');
  assert.equal(localDay(new Date('2022-04-12T16:00:59.000Z')), '2022-04-13');
  assert.equal(localDay(new Date('2022-04-12T15:59:30.000Z')), '2022-04-12');
  assert.throws(() => localDay(new Date('not a date')), RangeError);
});

test('an entry is in effect from its first day to its last, inclusive', () => {
  const entry = { effectiveFrom: '2022-04-01', effectiveTo: '2022-04-30' };
  assert.ok(inEffect(entry, '2022-04-01') && inEffect(entry, '2022-04-30'));
  assert.ok(!inEffect(entry, '2022-03-31') && !inEffect(entry, '2022-05-01'));
  assert.ok(inEffect({ effectiveFrom: '2022-04-01', effectiveTo: null }, '2030-01-01'));
});

test('a district day ends at the next midnight in 周口 (16:00 UTC), across months and years', () => {
  assert.equal(endOfLocalDay('2022-04-10').toISOString(), '2022-04-10T16:00:00.000Z');
  assert.equal(endOfLocalDay('2022-04-30').toISOString(), '2022-04-30T16:00:00.000Z');
  assert.equal(endOfLocalDay('2022-12-31').toISOString(), '2022-12-31T16:00:00.000Z');
  assert.equal(localDay(new Date(endOfLocalDay('2022-04-10').getTime() - 1)), '2022-04-10');
  assert.equal(localDay(endOfLocalDay('2022-04-10')), '2022-04-11');
});

test('the district wall clock reads back as the same minute', () => {
  assert.equal(districtWallClock(new Date('2022-04-10T16:05:00Z')), '2022-04-11 00:05');
  assert.equal(districtWallClock(new Date('2022-04-10T01:30:59Z')), '2022-04-10 09:30');
  const now = new Date();
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  assert.equal(parseDistrictDateTime(districtWallClock(now))?.getTime(), minute.getTime());
});
