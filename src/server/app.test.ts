import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { fieldLabel } from '../domain/field-names.ts';
import { buildApp } from './app.ts';
import { client } from './testing/http.ts';
import { listApiRoutes } from './testing/openapi-routes.ts';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from './testing/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('the OpenAPI document lists every route, and the docs UI is served', async () => {
  const spec = await client(t.app).get('/api/v1/openapi.json');
  assert.equal(spec.status, 200);
  assert.match(spec.body.openapi, /^3\./);
  const routes = (await listApiRoutes(t.app)).map((r) => `${r.method} ${r.path}`);
  for (const r of [
    'GET /api/v1/health',
    'POST /api/v1/auth/login',
    'POST /api/v1/auth/logout',
    'GET /api/v1/auth/me',
    'GET /api/v1/org-units',
    'POST /api/v1/org-units',
    'GET /api/v1/org-units/{id}',
    'PATCH /api/v1/org-units/{id}',
    'GET /api/v1/users',
    'POST /api/v1/users',
    'PATCH /api/v1/users/{id}',
    'GET /api/v1/roles',
    'GET /api/v1/audit-events',
    'GET /api/v1/work-items',
    'GET /api/v1/events',
  ]) {
    assert.ok(routes.includes(r), r);
  }
  const login = spec.body.paths['/api/v1/auth/login'].post;
  assert.ok(
    login.requestBody.content['application/json'].schema.properties.username,
    'schemas come from zod',
  );
  const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger/i);
});

test('every field a request takes has a name for people, for a refusal about it that no form shows', async () => {
  const spec = await client(t.app).get('/api/v1/openapi.json');
  const fields = new Set<string>();
  type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[] };
  const walk = (schema: Schema | undefined) => {
    if (!schema || typeof schema !== 'object') return;
    for (const [name, inner] of Object.entries(schema.properties ?? {})) {
      fields.add(name);
      walk(inner);
    }
    walk(schema.items);
    for (const inner of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(inner);
  };
  for (const operations of Object.values<Record<string, Record<string, never>>>(spec.body.paths))
    for (const operation of Object.values<{
      parameters?: { in: string; name: string }[];
      requestBody?: { content: Record<string, { schema: Schema }> };
    }>(operations)) {
      for (const parameter of operation.parameters ?? [])
        if (parameter.in !== 'path') fields.add(parameter.name);
      walk(operation.requestBody?.content['application/json']?.schema);
    }
  assert.ok(fields.has('samplerUserIds') && fields.has('personCode'), 'the walk reaches request bodies');
  const unnamed = [...fields].filter((field) => fieldLabel(field, 'zh-CN') === null);
  assert.deepEqual(unnamed, []);
});

test('unknown API paths answer 404 in the error shape (401 to strangers, who learn nothing of the routes)', async () => {
  const res = await client(t.app, await t.login('admin')).get('/api/v1/nothing-here');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'NOT_FOUND');
  const stranger = await client(t.app).get('/api/v1/nothing-here');
  assert.equal(stranger.status, 401);
  assert.equal(stranger.body.error.code, 'UNAUTHENTICATED');
});

test('large answers go compressed to a browser that takes it; small ones (a scan’s) as they are', async () => {
  const big = await t.app.inject({
    method: 'GET',
    url: '/api/v1/openapi.json',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
  assert.equal(big.statusCode, 200);
  assert.equal(big.headers['content-encoding'], 'br');
  const plain = zlib.brotliDecompressSync(big.rawPayload);
  assert.ok(big.rawPayload.length < plain.length / 4, `${big.rawPayload.length} of ${plain.length} bytes`);
  assert.match(JSON.parse(plain.toString('utf8')).openapi, /^3\./);

  const gzipOnly = await t.app.inject({
    method: 'GET',
    url: '/api/v1/openapi.json',
    headers: { 'accept-encoding': 'gzip' },
  });
  assert.equal(gzipOnly.headers['content-encoding'], 'gzip');
  assert.deepEqual(zlib.gunzipSync(gzipOnly.rawPayload), plain);

  const small = await t.app.inject({
    method: 'GET',
    url: '/api/v1/health',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
  assert.equal(small.statusCode, 200);
  assert.equal(small.headers['content-encoding'], undefined);
});

test('a compressed request body is refused with a 4xx, never inflated', async () => {
  const body = zlib.gzipSync(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: body,
  });
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}`);
  assert.equal(res.headers['set-cookie'], undefined, 'not signed in');
});

test('behind a TLS proxy (trust proxy on) the session cookie is Secure', async () => {
  const app = await buildApp({ ...t.deps, config: { ...t.deps.config, trustProxy: true } });
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-proto': 'https' },
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['set-cookie']), /; Secure/);
  } finally {
    await app.close();
  }
});

test('with a certificate and key it serves HTTPS itself, with Secure cookies and HSTS', async (ctx) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    ctx.skip('openssl is not installed');
    return;
  }
  const app = await buildApp(t.deps, {
    https: {
      key: fs.readFileSync(path.join(dir, 'key.pem')),
      cert: fs.readFileSync(path.join(dir, 'cert.pem')),
    },
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const res = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/auth/login',
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/json' },
        },
        (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }));
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['set-cookie']), /; Secure/);
    assert.match(String(res.headers['strict-transport-security']), /max-age/);
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a date no one meant (year 0000, year 9999) is a 400 naming its field, not the database’s “invalid value”', async () => {
  const admin = client(t.app, await t.login('admin'));
  const audit = await admin.get('/api/v1/audit-events?from=0000-01-01');
  assert.equal(audit.status, 400, JSON.stringify(audit.body));
  assert.match(audit.body.error.fields.from, /日期超出范围/);
  const keyGroup = await admin.post('/api/v1/key-groups', {
    code: 'year-zero',
    name: '零年人员',
    effectiveFrom: '0000-01-01',
  });
  assert.equal(keyGroup.status, 400, JSON.stringify(keyGroup.body));
  assert.match(keyGroup.body.error.fields.effectiveFrom, /日期超出范围/);
  const rounds = await admin.get('/api/v1/test-rounds?from=0000-01-01');
  assert.equal(rounds.status, 400, JSON.stringify(rounds.body));
  assert.ok(rounds.body.error.fields.from);
  const item = await admin.post('/api/v1/work-items', {
    type: 'task',
    title: '核对名单',
    assigneeOrgUnitId: t.fx.community.id,
    dueAt: '9999-12-31T00:00:00Z',
  });
  assert.equal(item.status, 400, JSON.stringify(item.body));
  assert.match(item.body.error.fields.dueAt, /Date out of range|日期超出范围/);
  // A day in range is taken.
  assert.equal((await admin.get('/api/v1/audit-events?from=2026-01-01')).status, 200);
});

test('lengths are said as people count them, and an id in a link that is no id is a record not found', async () => {
  const admin = client(t.app, await t.login('admin'));
  const long = await admin.post('/api/v1/org-units', {
    parentId: t.fx.community.id,
    name: '长'.repeat(300),
    level: 'grid',
  });
  assert.equal(long.status, 400, JSON.stringify(long.body));
  assert.match(long.body.error.fields.name, /^不能超过 \d+ 个字$/);
  const english = await client(t.app, await t.login('admin'), { 'accept-language': 'en' }).post(
    '/api/v1/org-units',
    { parentId: t.fx.community.id, name: 'x'.repeat(300), level: 'grid' },
  );
  assert.match(english.body.error.fields.name, /^At most \d+ characters$/);
  const empty = await admin.post('/api/v1/org-units', {
    parentId: t.fx.community.id,
    name: '',
    level: 'grid',
  });
  assert.ok(empty.body.error.fields.name, JSON.stringify(empty.body));
  // A mistyped or cut-off link: the same 404 as a record out of reach.
  const link = await admin.get('/api/v1/residents/not-a-record');
  assert.equal(link.status, 404, JSON.stringify(link.body));
  assert.equal(link.body.error.code, 'NOT_FOUND');
  // A bad id in a body is still a field to correct.
  const body = await admin.post('/api/v1/org-units', {
    parentId: 'not-a-record',
    name: '新网格',
    level: 'grid',
  });
  assert.equal(body.status, 400);
  assert.ok(body.body.error.fields.parentId);
});
