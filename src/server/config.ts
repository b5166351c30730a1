import path from 'node:path';

/** Everything the server reads from its environment, read once at start. */
export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** Embedded PGlite data folder (also holds the generated key and the lock file). */
  dataDir: string;
  databaseUrl: string | undefined;
  /** Create the demo district on a fresh database. */
  demo: boolean;
  /** Synthetic residents in the demo district. */
  demoResidents: number;
  adminPassword: string | undefined;
  key: string | undefined;
  keyFile: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** Trust X-Forwarded-* from a reverse proxy (for Secure cookies behind TLS termination). */
  trustProxy: boolean;
  sessionIdleMinutes: number;
  webDir: string;
  logLevel: string;
  /** App server processes sharing the port (PostgreSQL only: the embedded database is one process's). */
  appServers: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    production: env.NODE_ENV === 'production',
    dataDir: path.resolve(env.GRIDWATCH_DATA_DIR ?? 'data'),
    databaseUrl,
    // The embedded default is a demo; a real server gets demo data only when asked.
    demo: env.GRIDWATCH_DEMO ? env.GRIDWATCH_DEMO === '1' : !databaseUrl,
    demoResidents: Number(env.GRIDWATCH_DEMO_RESIDENTS ?? 30_000),
    adminPassword: env.GRIDWATCH_ADMIN_PASSWORD || undefined,
    key: env.GRIDWATCH_KEY || undefined,
    keyFile: env.GRIDWATCH_KEY_FILE || undefined,
    tlsCert: env.GRIDWATCH_TLS_CERT || undefined,
    tlsKey: env.GRIDWATCH_TLS_KEY || undefined,
    trustProxy: env.GRIDWATCH_TRUST_PROXY === '1',
    sessionIdleMinutes: Number(env.GRIDWATCH_SESSION_IDLE_MINUTES ?? 480),
    webDir: path.resolve(env.GRIDWATCH_WEB_DIR ?? 'dist/web'),
    logLevel: env.LOG_LEVEL ?? 'info',
    appServers: Math.max(1, Math.floor(Number(env.GRIDWATCH_APP_SERVERS ?? 1)) || 1),
  };
}
