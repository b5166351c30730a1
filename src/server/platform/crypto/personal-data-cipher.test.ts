import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PersonalDataCipher } from './personal-data-cipher.ts';

const cipher = new PersonalDataCipher(randomBytes(32));

test('a sealed value opens to the original, and never contains it', () => {
  const sealed = cipher.seal('41160219900307123X');
  assert.ok(!sealed.includes('41160219900307123X'));
  assert.equal(cipher.open(sealed), '41160219900307123X');
  // A fresh IV each time: equal values do not give equal ciphertexts.
  assert.notEqual(cipher.seal('13812341234'), cipher.seal('13812341234'));
});

test('tampered ciphertext, IV or tag is rejected', () => {
  const sealed = cipher.seal('13812341234');
  const parts = sealed.split('.');
  for (const i of [1, 2, 3]) {
    const bytes = Buffer.from(parts[i], 'base64url');
    bytes[0] ^= 1;
    const tampered = [...parts];
    tampered[i] = bytes.toString('base64url');
    assert.throws(() => cipher.open(tampered.join('.')));
  }
  assert.throws(() => cipher.open('garbage'));
});

test('another key cannot open it', () => {
  const other = new PersonalDataCipher(randomBytes(32));
  assert.throws(() => other.open(cipher.seal('13812341234')));
});

test('the lookup hash is stable per key, differs across keys and values, and matches', () => {
  const h = cipher.lookupHash('13812341234');
  assert.equal(cipher.lookupHash('13812341234'), h);
  assert.notEqual(cipher.lookupHash('13812341235'), h);
  assert.notEqual(new PersonalDataCipher(randomBytes(32)).lookupHash('13812341234'), h);
  assert.ok(cipher.matches('13812341234', h));
  assert.ok(!cipher.matches('13812341235', h));
});

test('a key of the wrong length is refused', () => {
  assert.throws(() => new PersonalDataCipher(randomBytes(16)));
});
