import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installErrorHandlers } from './error-handler.ts';

/**
 * Errors no API input reaches today (validation stops them first), mapped anyway: a database's
 * refusal of a value is the user's 400, never a 500, and a 500 tells nothing of its cause.
 */
test('a database data error is a 400, a unique violation a 409, anything else a 500 that says nothing', async () => {
  const app = Fastify({ logger: false });
  installErrorHandlers(app, os.tmpdir());
  const dbError = (code: string, message: string) => Object.assign(new Error(message), { code });
  app.get('/api/v1/data', async () => {
    throw dbError('22007', 'invalid input syntax for type date: "41160219900307123X"');
  });
  app.get('/api/v1/unique', async () => {
    throw dbError('23505', 'duplicate key value violates unique constraint "persons_id_hash_key"');
  });
  app.get('/api/v1/broken', async () => {
    throw new Error('connection to 10.0.0.5 refused: password "s3cret"');
  });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { 'accept-language': 'zh-CN' } });
  const data = await get('/api/v1/data');
  assert.equal(data.statusCode, 400);
  assert.equal(data.json().error.code, 'VALIDATION');
  assert.ok(!data.body.includes('41160219900307123X'), data.body);
  const unique = await get('/api/v1/unique');
  assert.equal(unique.statusCode, 409);
  assert.equal(unique.json().error.code, 'CONFLICT');
  const broken = await get('/api/v1/broken');
  assert.equal(broken.statusCode, 500);
  assert.ok(!/10\.0\.0\.5|s3cret/.test(broken.body), broken.body);
  await app.close();
});
