import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inEffect, localDay } from './dates.ts';

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
