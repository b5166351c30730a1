import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskIdNumber, maskName, maskPhone } from './masking.ts';
import { normalizeMobile } from './phone.ts';

test('ID numbers keep the first 6 and last 4 characters (DOMAIN.md)', () => {
  assert.equal(maskIdNumber('41160219900307123X'), '411602********123X');
  assert.equal(maskIdNumber('411602900307123'), '411602*****7123');
});

test('other documents show their letter and last three only: first 6 + last 4 would show nearly all', () => {
  assert.equal(maskIdNumber('H1234567890'), 'H*******890');
  assert.equal(maskIdNumber('E12345678'), 'E*****678');
  assert.equal(maskIdNumber('USA123456789012'), 'U***********012');
  assert.equal(maskIdNumber('AB1234'), '******');
});

test('phones keep the first 3 and last 4 digits', () => {
  assert.equal(maskPhone('13812341234'), '138****1234');
  assert.equal(maskPhone('+8613812341234'), '138****1234');
});

test('names keep the first and last character', () => {
  assert.equal(maskName('张三明'), '张*明');
  assert.equal(maskName('张三'), '张*');
  assert.equal(maskName('欧阳建国'), '欧**国');
  assert.equal(maskName('张'), '张');
});

test('mobile numbers are normalised to 11 digits or refused', () => {
  assert.equal(normalizeMobile('+86 138-1234-1234'), '13812341234');
  assert.equal(normalizeMobile('13812341234'), '13812341234');
  assert.equal(normalizeMobile('12812341234'), null);
  assert.equal(normalizeMobile('1381234123'), null);
});
