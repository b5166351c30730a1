import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { authenticate } from '../auth/auth-service.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors/app-error.ts';
import { pickLocale } from '../errors/i18n.ts';

export const SESSION_COOKIE = 'gw_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (login, health, docs). */
    public?: boolean;
  }
}

export function requestInfo(req: FastifyRequest) {
  return {
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    locale: pickLocale(req.headers['accept-language']),
  };
}

/** The acting user of an authenticated route (the hook has already answered 401 otherwise). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('UNAUTHENTICATED');
  return req.actor;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Per request: refuse state-changing requests from another site's page (Origin check, on top of
 * SameSite=Strict cookies), then resolve the session cookie to an actor; API routes are closed
 * unless declared public.
 */
export function installRequestContext(app: FastifyInstance, deps: AppDeps) {
  app.decorateRequest('actor', null);

  app.addHook('onRequest', async (req) => {
    if (SAFE_METHODS.has(req.method)) return;
    const originHeader = req.headers.origin;
    if (!originHeader) return;
    const host =
      deps.config.trustProxy && req.headers['x-forwarded-host']
        ? String(req.headers['x-forwarded-host'])
        : req.headers.host;
    let originHost: string;
    let ownHost: string;
    try {
      // Through URL on both sides, so default ports compare equal (`localhost:80` = `localhost`).
      const origin = new URL(originHeader);
      originHost = origin.host;
      ownHost = new URL(`${origin.protocol}//${host}`).host;
    } catch {
      throw new AppError('BAD_ORIGIN');
    }
    if (originHost !== ownHost) throw new AppError('BAD_ORIGIN');
  });

  app.addHook('preHandler', async (req) => {
    // The API; its documentation at /api/docs is public like the OpenAPI document it shows.
    if (!req.url.startsWith('/api/v1/')) return;
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) req.actor = await authenticate(deps, token, requestInfo(req));
    if (!req.actor && !req.routeOptions.config?.public) throw new AppError('UNAUTHENTICATED');
  });
}
