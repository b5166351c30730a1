import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp, USER_PASSWORD } from '../../testing/test-app.ts';
import { createUser } from '../../testing/testing-fixtures.ts';

let t: TestApp;
let base: string;
before(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});
after(() => t.close());

async function loginCookie(username: string) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: USER_PASSWORD }),
  });
  return String(res.headers.get('set-cookie')).split(';')[0];
}

/** Opens the event stream as a user and collects the data lines it receives. */
async function subscribe(username: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/events`, {
    headers: { cookie: await loginCookie(username) },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.match(String(res.headers.get('content-type')), /text\/event-stream/);
  const events: { type: string; entityId: string }[] = [];
  /** The name of every event received ("event: <name>"), in order. */
  const names: string[] = [];
  if (!res.body) throw new Error('no stream');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const name = block.split('\n').find((l) => l.startsWith('event: '));
          if (name) names.push(name.slice(7));
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data && name !== 'event: resync') events.push(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    names,
    close: () => {
      controller.abort();
      return pump;
    },
  };
}

test('events reach browsers after commit, only inside each user’s scope', async () => {
  const a = await subscribe('worker-a');
  const b = await subscribe('worker-b');
  const admin = client(t.app, await t.login('admin'));
  await admin.patch(`/api/v1/org-units/${t.fx.gridA.id}`, { name: '第一网格（更新）' });
  await admin.patch(`/api/v1/org-units/${t.fx.gridB.id}`, { name: '第二网格（更新）' });
  // A failed write publishes nothing.
  await admin.patch(`/api/v1/org-units/${t.fx.gridA.id}`, { name: '第二网格（更新）' });
  const deadline = Date.now() + 3000;
  while ((a.events.length < 1 || b.events.length < 1) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    a.events.map((e) => [e.type, e.entityId]),
    [['org-unit.update', t.fx.gridA.id]],
  );
  assert.deepEqual(
    b.events.map((e) => [e.type, e.entityId]),
    [['org-unit.update', t.fx.gridB.id]],
  );
  await a.close();
  await b.close();
});

test('events about people reach only those who may read residents there', async () => {
  // A pharmacy of grid A: a field role, without the registry.
  await createUser(t, {
    username: 'pharmacy-a',
    displayName: '甲网格药店',
    password: USER_PASSWORD,
    grants: [{ role: 'pharmacy', orgUnitId: t.fx.gridA.id }],
  });
  const pharmacy = await subscribe('pharmacy-a');
  const worker = await subscribe('worker-a');
  const admin = client(t.app, await t.login('admin'));
  const changed = await admin.patch(`/api/v1/residents/${t.fx.residentA.id}`, { address: '甲网格9号' });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  // A person's code renewed: its event's id is the person's.
  const renewed = await admin.post(`/api/v1/residents/${t.fx.residentA.id}/person-code/renew`, {});
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  await admin.patch(`/api/v1/org-units/${t.fx.gridA.id}`, { name: '第一网格（再更新）' });
  const deadline = Date.now() + 3000;
  while ((worker.events.length < 3 || pharmacy.events.length < 1) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    worker.events.map((e) => e.type),
    ['resident.update', 'resident.person-code.renew', 'org-unit.update'],
  );
  assert.deepEqual(
    pharmacy.events.map((e) => e.type),
    ['org-unit.update'],
    'the pharmacy hears of its grid, not of who in it was changed',
  );
  await pharmacy.close();
  await worker.close();
});

test('the stream needs a session', async () => {
  const res = await fetch(`${base}/api/v1/events`);
  assert.equal(res.status, 401);
});

test('a resync (events may have been missed) reaches every stream, whatever its scope', async () => {
  const a = await subscribe('worker-a');
  const command = await subscribe('command');
  t.deps.events.announceResync();
  const deadline = Date.now() + 3000;
  while ((a.names.length < 1 || command.names.length < 1) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(a.names, ['resync']);
  assert.deepEqual(command.names, ['resync']);
  assert.deepEqual(a.events, []);
  await a.close();
  await command.close();
});
