import assert from 'node:assert/strict';
import { test } from 'node:test';
import { birthDateInId, idCheckChar, parseDocument, parseIdNumber } from './id-number.ts';

const TODAY = new Date('2026-11-29T12:00:00+08:00');
const valid = (first17: string) => first17 + idCheckChar(first17);

test('GB 11643 check character: the standard’s worked examples', () => {
  assert.equal(idCheckChar('11010519491231002'), 'X');
  assert.equal(idCheckChar('44052418800101001'), '4');
});

test('valid numbers with an X and with a digit check character', () => {
  const x = parseIdNumber('11010519491231002X', TODAY);
  assert.deepEqual(x, { ok: true, value: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' });
  const digit = parseIdNumber('440524188001010014', TODAY);
  assert.deepEqual(digit, { ok: true, value: '440524188001010014', birthDate: '1880-01-01', sex: 'male' });
});

test('lower-case x is accepted and stored upper-case; spaces are dropped', () => {
  const r = parseIdNumber(' 11010519491231002x ', TODAY);
  assert.ok(r.ok && r.value === '11010519491231002X');
});

test('a wrong check character is rejected with a reason', () => {
  const r = parseIdNumber('110105194912310021', TODAY);
  assert.ok(!r.ok);
  assert.match(r.reason.zh, /校验位/);
});

test('impossible dates are rejected (19990230, month 13)', () => {
  for (const first17 of ['41160219990230123', '41160219991301123']) {
    const r = parseIdNumber(valid(first17), TODAY);
    assert.ok(!r.ok, first17);
    assert.match(r.reason.zh, /出生日期/);
  }
});

test('a future birth date is rejected', () => {
  const r = parseIdNumber(valid('41160220301201123'), TODAY);
  assert.ok(!r.ok);
});

test('15-digit legacy numbers are accepted and converted to 18 characters', () => {
  const r = parseIdNumber('411602900307123', TODAY);
  assert.ok(r.ok);
  assert.equal(r.value, valid('41160219900307123'));
  assert.equal(r.birthDate, '1990-03-07');
  assert.equal(r.sex, 'male');
});

test('an abolished address code is accepted (codes change, an ID keeps its own)', () => {
  // 412701 was 周口地区周口市 before the 2000 reorganisation into 川汇区 (411602).
  const r = parseIdNumber(valid('41270119650412256'), TODAY);
  assert.ok(r.ok);
  assert.equal(r.sex, 'female', 'an even sequence digit');
});

test('Excel’s scientific notation is named for what it is', () => {
  const r = parseIdNumber('4.11602E+17', TODAY);
  assert.ok(!r.ok);
  assert.match(r.reason.zh, /文本/);
});

test('wrong lengths and letters are rejected', () => {
  for (const s of ['', '4116021990', '41160219900307123XX', 'A11602199003071234'])
    assert.ok(!parseIdNumber(s, TODAY).ok, s);
});

test('other documents have their own checks', () => {
  assert.ok(parseDocument('passport', 'e12345678').ok);
  assert.ok(!parseDocument('passport', 'E1').ok);
  assert.ok(parseDocument('hk_macau_permit', 'H12345678').ok);
  assert.ok(!parseDocument('hk_macau_permit', 'X12345678').ok);
  assert.ok(parseDocument('taiwan_permit', '12345678').ok);
  assert.ok(!parseDocument('id_card', '110105194912310021').ok);
});

test('the birth date is read from a stored ID card number, and from nothing else', () => {
  const id = parseIdNumber('411602500101211');
  assert.ok(id.ok);
  assert.equal(birthDateInId('id_card', id.value), '1950-01-01');
  assert.equal(
    birthDateInId('id_card', `41160220010505222${idCheckChar('41160220010505222')}`),
    '2001-05-05',
  );
  assert.equal(birthDateInId('passport', 'E12345678'), null);
  assert.equal(birthDateInId('id_card', ''), null);
});
