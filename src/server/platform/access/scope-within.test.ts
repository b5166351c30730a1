import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scopeWithin } from './actor.ts';

test('a scope cut to a subtree is never more than the scope', () => {
  // The subtree lies in the scope: the subtree.
  assert.deepEqual(scopeWithin(['1'], '1.2.3'), ['1.2.3']);
  assert.deepEqual(scopeWithin(['1.2'], '1.2'), ['1.2']);
  // Parts of the scope lie in the subtree: those parts, and no others.
  assert.deepEqual(scopeWithin(['1.2.3', '1.2.4', '1.5'], '1.2'), ['1.2.3', '1.2.4']);
  // Apart: nothing (1.20 is not under 1.2).
  assert.deepEqual(scopeWithin(['1.20', '3'], '1.2'), []);
  assert.deepEqual(scopeWithin([], '1'), []);
});
