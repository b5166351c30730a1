import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { labRoutes } from './modules/labs/labs-routes.ts';
import { orgRoutes } from './modules/org/org-routes.ts';
import { residentRoutes } from './modules/residents/resident-routes.ts';
import { testingRoutes } from './modules/testing/testing-routes.ts';
import { auditRoutes } from './platform/audit/audit-routes.ts';
import { authRoutes } from './platform/auth/auth-routes.ts';
import type { AppDeps } from './platform/deps.ts';
import { eventRoutes } from './platform/events/event-routes.ts';
import { healthRoutes } from './platform/health/health-routes.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandlers } from './platform/http/error-handler.ts';
import { installRequestContext } from './platform/http/request-context.ts';
import { validatorCompiler } from './platform/http/validation.ts';
import { roleRoutes } from './platform/roles/role-routes.ts';
import { userRoutes } from './platform/users/user-routes.ts';
import { workItemRoutes } from './platform/work-items/work-item-routes.ts';

export const API_PREFIX = '/api/v1';

export interface BuildOptions {
  logger?: FastifyHttpOptions<never>['logger'];
  https?: { key: Buffer; cert: Buffer } | null;
}

/**
 * Personal data never reaches the log: no bodies, no query strings (a search may be a phone
 * number), no cookies, no person codes (the public page's path carries one: it stands for a person).
 */
const loggerDefaults = {
  redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
  serializers: {
    req: (req: { method: string; url: string; ip?: string }) => ({
      method: req.method,
      url: (req.url.split('?')[0] as string).replace(/\/code\/[^/]+/, '/code/…'),
      ip: req.ip,
    }),
  },
};

/** The headers helmet sets with these options, recorded once (they do not vary by request). */
function securityHeadersOf(options: Parameters<typeof helmet>[0]): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failed = error;
  });
  if (failed || headers.length === 0) throw new Error(`security headers: ${String(failed)}`);
  return headers;
}

export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : { ...loggerDefaults, ...(options.logger as object) };
  // One instance type for HTTP and HTTPS: the routes do not care which one serves them.
  const app = (
    Fastify({
      logger,
      trustProxy: deps.config.trustProxy ? 'loopback, linklocal, uniquelocal' : false,
      bodyLimit: 1024 * 1024,
      frameworkErrors,
      clientErrorHandler,
      ...(options.https ? { https: options.https } : {}),
    } as FastifyHttpOptions<never>) as unknown as FastifyInstance
  ).withTypeProvider<ZodTypeProvider>();

  // First, so plugins registered below (the docs UI among them) answer errors in our shape too.
  installErrorHandlers(app, deps.config.webDir);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Security headers, worked out once: @fastify/helmet builds a fresh helmet middleware (parsing
  // the whole CSP) on every request, and even one built once runs a dozen middlewares per request
  // to set the same values — a measurable share of a scan's CPU at a city round's rate. None of
  // ours depends on the request (no CSP nonces), so helmet is run once against a recorder.
  const securityHeaders = securityHeadersOf({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // antd injects its CSS-in-JS as <style> elements.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // Served over plain HTTP on a LAN too: HSTS only makes sense behind real TLS.
    strictTransportSecurity: Boolean(options.https),
  });
  app.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    // Answers of the API hold names, addresses and masked numbers, and exports unmasked ones:
    // none is to be written to the browser's cache on a phone the next shift signs in on, nor a
    // proxy's. Set here, before any hook can refuse the request, so refusals and unknown API
    // paths say it too.
    if (request.url.startsWith('/api/')) reply.raw.setHeader('cache-control', 'no-store');
    done();
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gridwatch 网格防控 API', version: '1' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'gw_session' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list' },
  });

  installRequestContext(app, deps);

  await app.register(
    async (api) => {
      // A team's households or a grid's missing list run to megabytes of JSON, a tenth of that
      // compressed: what decides how long a phone on a village's 2G link waits. Answers under
      // 2 kB (a scan's) are sent as they are. Bodies sent compressed are not accepted (nothing of
      // ours sends them, and a small one can inflate to gigabytes).
      await api.register(compress, {
        threshold: 2048,
        encodings: ['br', 'gzip'],
        globalDecompression: false,
      });
      api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
        app.swagger(),
      );
      for (const routes of [
        healthRoutes,
        authRoutes,
        orgRoutes,
        userRoutes,
        roleRoutes,
        auditRoutes,
        workItemRoutes,
        eventRoutes,
        residentRoutes,
        testingRoutes,
        labRoutes,
      ]) {
        await api.register(routes(deps));
      }
    },
    { prefix: API_PREFIX },
  );

  const indexHtml = path.join(deps.config.webDir, 'index.html');
  if (fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, {
      root: deps.config.webDir,
      wildcard: false,
      // The build writes .br and .gz copies (vite.config.ts): sent to browsers that take them.
      preCompressed: true,
      // Hashed assets never change; the shell and the service worker must always be revalidated.
      cacheControl: false,
      setHeaders(reply, file) {
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  return app;
}
