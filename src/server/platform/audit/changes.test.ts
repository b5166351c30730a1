import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskIdNumber } from '../../../domain/masking.ts';
import { diffSnapshots } from './changes.ts';

test('only changed fields are recorded, with before and after', () => {
  assert.deepEqual(diffSnapshots({ name: 'a', code: '1' }, { name: 'b', code: '1' }), {
    name: { from: 'a', to: 'b' },
  });
});

test('a creation records the new values only', () => {
  assert.deepEqual(diffSnapshots(null, { name: 'a' }), { name: { to: 'a' } });
});

test('sensitive values are masked and secrets hidden, whatever the caller passes', () => {
  const changes = diffSnapshots(
    { phone: '13812341234', idNumber: '41160219900307123X', passwordHash: 'h' },
    { phone: '13912341234', idNumber: '41160219900307123X', passwordHash: 'k' },
  );
  assert.deepEqual(changes, {
    phone: { from: '138****1234', to: '139****1234' },
    passwordHash: { from: '[已隐藏]', to: '[已隐藏]' },
  });
});

test('an ID number or phone recorded new, or removed, is masked too', () => {
  const changes = diffSnapshots(null, { idNumber: '41160219900307123X', phone: '13812341234' });
  assert.deepEqual(changes, {
    idNumber: { to: maskIdNumber('41160219900307123X') },
    phone: { to: '138****1234' },
  });
  assert.ok(!JSON.stringify(changes).includes('19900307'));
  const removed = diffSnapshots({ idNumber: '41160219900307123X' }, { idNumber: null });
  assert.ok(!JSON.stringify(removed).includes('19900307'), JSON.stringify(removed));
});
