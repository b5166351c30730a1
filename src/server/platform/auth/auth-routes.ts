import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { actorOf, requestInfo, SESSION_COOKIE } from '../http/request-context.ts';
import { passwordSchema } from '../users/user-schemas.ts';
import { changeOwnPassword, describeActor, login, logout } from './auth-service.ts';

export const meSchema = z.object({
  user: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  grants: z.array(
    z.object({
      role: z.string(),
      roleName: z.string(),
      orgUnitId: z.string(),
      orgUnitName: z.string(),
      orgUnitPath: z.string(),
    }),
  ),
  permissions: z.array(z.string()),
});

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    // req.protocol is https when served over TLS, or behind a TLS proxy with trust-proxy on.
    secure: req.protocol === 'https',
    path: '/',
  });
}

export function authRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: '登录',
          body: z.object({
            username: z.string().trim().min(1).max(100),
            password: z.string().min(1).max(200),
          }),
          response: { 200: meSchema },
        },
      },
      async (req, reply) => {
        const { token, actor } = await login(deps, req.body, requestInfo(req));
        setSessionCookie(req, reply, token);
        return describeActor(actor);
      },
    );

    app.post('/auth/logout', { schema: { tags: ['auth'], summary: '退出登录' } }, async (req, reply) => {
      await logout(deps, actorOf(req), req.cookies[SESSION_COOKIE] ?? '');
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    app.get(
      '/auth/me',
      { schema: { tags: ['auth'], summary: '当前用户', response: { 200: meSchema } } },
      async (req) => describeActor(actorOf(req)),
    );

    app.post(
      '/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: '修改本人密码（结束所有会话）',
          body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }),
        },
      },
      async (req, reply) => {
        await changeOwnPassword(deps, actorOf(req), req.body);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );
  };
}
