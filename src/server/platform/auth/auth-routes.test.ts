import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { client } from '../../testing/http.ts';
import { ADMIN_PASSWORD, createTestApp, type TestApp, USER_PASSWORD } from '../../testing/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

describe('POST /api/v1/auth/login', () => {
  test('answers the user, grants and permissions, and sets a strict HttpOnly session cookie', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'worker-a', password: USER_PASSWORD },
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.user.username, 'worker-a');
    assert.deepEqual(
      body.grants.map((g: { role: string; orgUnitId: string }) => [g.role, g.orgUnitId]),
      [['grid_worker', t.fx.gridA.id]],
    );
    assert.ok(body.permissions.includes('org.read'));
    assert.ok(!body.permissions.includes('user.write'));
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /gw_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP gets no Secure flag');
  });

  test('the same 401 message whether the user exists or not', async () => {
    const api = client(t.app);
    const wrongPassword = await api.post('/api/v1/auth/login', {
      username: 'admin',
      password: 'nope-123456',
    });
    const noUser = await api.post('/api/v1/auth/login', { username: 'nobody-here', password: 'nope-123456' });
    assert.equal(wrongPassword.status, 401);
    assert.equal(noUser.status, 401);
    assert.deepEqual(wrongPassword.body, noUser.body);
    assert.equal(noUser.body.error.message, '用户名或密码错误');
  });

  test('English when asked', async () => {
    const res = await client(t.app, undefined, { 'accept-language': 'en-US,en;q=0.9' }).post(
      '/api/v1/auth/login',
      {
        username: 'admin',
        password: 'wrong-pass-1',
      },
    );
    assert.equal(res.body.error.message, 'Wrong username or password');
  });

  test('400 names the missing field', async () => {
    const res = await client(t.app).post('/api/v1/auth/login', { username: 'admin' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION');
    assert.ok(res.body.error.fields.password);
  });

  test('more than 10 failures for one username within 15 minutes → 429, even with the right password', async () => {
    await t.deps.database.db.execute(sql`delete from login_failures`);
    const api = client(t.app);
    for (let i = 0; i < 10; i++) {
      const res = await api.post('/api/v1/auth/login', { username: 'staff-c', password: `wrong-${i}-pass` });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const locked = await api.post('/api/v1/auth/login', { username: 'staff-c', password: USER_PASSWORD });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'TOO_MANY_ATTEMPTS');
    // The lockout is per username (and per IP): clear the IP's count so other tests can log in.
    await t.deps.database.db.execute(sql`delete from login_failures`);
  });

  test('more than 10 failures from one IP, across usernames → 429', async () => {
    await t.deps.database.db.execute(sql`delete from login_failures`);
    const api = client(t.app);
    for (let i = 0; i < 10; i++)
      await api.post('/api/v1/auth/login', { username: `ghost-${i}`, password: 'wrong-pass-1' });
    const res = await api.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(res.status, 429);
    await t.deps.database.db.execute(sql`delete from login_failures`);
  });

  test('a disabled user cannot log in', async () => {
    const admin = client(t.app, await t.login('admin'));
    await admin.patch(`/api/v1/users/${t.fx.users.auditor.id}`, { active: false });
    const res = await client(t.app).post('/api/v1/auth/login', {
      username: 'auditor',
      password: USER_PASSWORD,
    });
    assert.equal(res.status, 401);
    await admin.patch(`/api/v1/users/${t.fx.users.auditor.id}`, { active: true });
  });
});

describe('sessions', () => {
  test('GET /auth/me answers the user; 401 without a session', async () => {
    const me = await client(t.app, await t.login('worker-b')).get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'worker-b');
    assert.equal((await client(t.app).get('/api/v1/auth/me')).status, 401);
    assert.equal((await client(t.app, 'gw_session=forged').get('/api/v1/auth/me')).status, 401);
  });

  test('logout ends the session', async () => {
    const api = client(t.app, await t.login('worker-b'));
    assert.equal((await api.post('/api/v1/auth/logout')).status, 204);
    assert.equal((await api.get('/api/v1/auth/me')).status, 401);
  });

  test('a session in use is looked up again in the background: ended elsewhere, it stops before its copy runs out', async () => {
    const api = client(t.app, await t.login('worker-b'));
    const started = Date.now();
    assert.equal((await api.get('/api/v1/auth/me')).status, 200); // looked up, the copy kept
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // Ended by another app server: this process hears nothing of it.
    await t.deps.database.db.execute(sql`delete from sessions where user_id = ${t.fx.users.workerB.id}`);
    // Answered from the copy at once (no wait for the database), which starts a lookup behind it.
    assert.equal((await api.get('/api/v1/auth/me')).status, 200);
    let status = 200;
    while (status === 200 && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await api.get('/api/v1/auth/me')).status;
    }
    const after = Date.now() - started;
    assert.equal(status, 401);
    // The background lookup found it gone: refused well before the copy's 2 s were up.
    assert.ok(after < 1900, `refused ${after} ms after the copy was made`);
  });

  test('a session expires after inactivity', async () => {
    const cookie = await t.login('worker-b');
    await t.deps.database.db.execute(sql`update sessions set last_seen_at = now() - interval '9 hours'`);
    assert.equal((await client(t.app, cookie).get('/api/v1/auth/me')).status, 401);
  });

  test('changing one’s password ends every session of that user', async () => {
    const first = client(t.app, await t.login('command'));
    const second = client(t.app, await t.login('command'));
    const bad = await first.post('/api/v1/auth/password', {
      currentPassword: 'wrong-pass-9',
      newPassword: 'New-pass-2022',
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.fields.currentPassword);
    const weak = await first.post('/api/v1/auth/password', {
      currentPassword: USER_PASSWORD,
      newPassword: 'short',
    });
    assert.equal(weak.status, 400);
    assert.ok(weak.body.error.fields.newPassword);
    const ok = await first.post('/api/v1/auth/password', {
      currentPassword: USER_PASSWORD,
      newPassword: 'New-pass-2022',
    });
    assert.equal(ok.status, 204);
    assert.equal((await first.get('/api/v1/auth/me')).status, 401);
    assert.equal((await second.get('/api/v1/auth/me')).status, 401);
    const again = await client(t.app).post('/api/v1/auth/login', {
      username: 'command',
      password: 'New-pass-2022',
    });
    assert.equal(again.status, 200);
    // Put it back for other tests in this file.
    const api = client(t.app, await t.login('command', 'New-pass-2022'));
    await api.post('/api/v1/auth/password', { currentPassword: 'New-pass-2022', newPassword: USER_PASSWORD });
  });

  test('an admin resetting a user’s password ends that user’s sessions', async () => {
    const worker = client(t.app, await t.login('worker-b'));
    const admin = client(t.app, await t.login('admin'));
    assert.equal(
      (await admin.patch(`/api/v1/users/${t.fx.users.workerB.id}`, { password: USER_PASSWORD })).status,
      200,
    );
    assert.equal((await worker.get('/api/v1/auth/me')).status, 401);
  });
});

describe('request guards', () => {
  test('a state-changing request whose Origin names another site → 403', async () => {
    const cookie = await t.login('admin');
    const evil = client(t.app, cookie, { origin: 'https://evil.example' });
    const res = await evil.post('/api/v1/org-units', {
      parentId: t.fx.community.id,
      name: '第九网格',
      level: 'grid',
    });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'BAD_ORIGIN');
    const same = client(t.app, cookie, { origin: 'http://localhost:80', host: 'localhost:80' });
    const ok = await same.post('/api/v1/org-units', {
      parentId: t.fx.community.id,
      name: '第九网格',
      level: 'grid',
    });
    assert.equal(ok.status, 201);
  });

  test('security headers come from helmet, on every answer (refusals too), without HSTS over HTTP', async () => {
    for (const res of [
      await client(t.app).get('/api/v1/health'),
      await client(t.app).get('/api/v1/residents'), // 401
    ]) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      assert.match(String(res.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['strict-transport-security'], undefined);
    }
  });

  test('health answers the database in use', async () => {
    const res = await client(t.app).get('/api/v1/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.database, process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite');
  });
});
