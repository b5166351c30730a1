import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordProblem, usernameProblem } from './accounts.ts';

test('a username: 2 to 50 letters, digits, _ . -, trimmed; otherwise the reason', () => {
  for (const ok of ['zh', 'grid-worker_01', ' li.ming ', 'a'.repeat(50)])
    assert.equal(usernameProblem(ok), null, ok);
  assert.equal(usernameProblem('a')?.zh, '用户名至少2个字符');
  assert.equal(usernameProblem('  a  ')?.en, 'At least 2 characters', 'counted after trimming');
  assert.equal(usernameProblem('a'.repeat(51))?.en, 'At most 50 characters');
  assert.equal(usernameProblem('张三')?.zh, '用户名只能包含字母、数字、下划线、点和短横线');
  assert.equal(usernameProblem('li ming')?.en, 'Letters, digits, _ . - only');
});

test('a password: 8 to 200 characters with a letter and a digit; otherwise the reason', () => {
  for (const ok of ['abcdefg1', '1234567a', `a1${'x'.repeat(198)}`])
    assert.equal(passwordProblem(ok), null, ok);
  assert.equal(passwordProblem('abc1')?.zh, '密码至少8位');
  assert.equal(passwordProblem(`a1${'x'.repeat(199)}`)?.en, 'At most 200 characters');
  assert.equal(passwordProblem('abcdefgh')?.zh, '密码须同时包含字母和数字');
  assert.equal(passwordProblem('12345678')?.en, 'Use letters and digits');
});
