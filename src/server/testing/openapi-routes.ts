import type { FastifyInstance } from 'fastify';

export interface ApiRoute {
  method: string;
  /** OpenAPI template, e.g. `/api/v1/org-units/{id}`. */
  path: string;
  public: boolean;
}

/** Every route the OpenAPI document lists: the walkers below prove properties of all of them. */
export async function listApiRoutes(app: FastifyInstance): Promise<ApiRoute[]> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  const doc = res.json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const routes: ApiRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      routes.push({ method: method.toUpperCase(), path, public: false });
    }
  }
  return routes;
}

export const fillPath = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(params[name]);
  });
