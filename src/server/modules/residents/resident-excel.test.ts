import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';
import { writeExport } from './resident-excel.ts';
import type { PersonRow } from './resident-repository.ts';

test('an export failing after its download began passes on no query parameters (Fastify logs the stream’s error itself)', async () => {
  // A later batch's query fails (a statement timeout): drizzle's error carries the statement's
  // parameters in its message and as a property — here the name and the digits searched for.
  async function* batches(): AsyncIterable<{ person: PersonRow; gridName: string }[]> {
    yield [];
    throw Object.assign(
      new Error(
        'Failed query: select * from persons where name like $1 and phone_tail = $2\nparams: 张三%,0001',
      ),
      { params: ['张三%', '0001'], cause: new Error('canceling statement due to statement timeout') },
    );
  }
  const out = writeExport({} as PersonalDataCipher, batches(), false);
  const error = await new Promise<Error>((resolve) => {
    out.on('error', resolve);
    out.resume();
  });
  assert.match(error.message, /statement timeout/, 'what went wrong is kept');
  assert.doesNotMatch(error.message, /张三|0001|params/);
  assert.equal((error as Error & { params?: unknown }).params, undefined);
  assert.equal(error.cause, undefined);
});
