// Partnerdesk HTTP server: Express + the Remix build. Start-up (migrations, demo seed,
// scheduled work) and the Origin check come from the build, so the app has one set of modules.
import cluster from "node:cluster";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import { pinoHttp } from "pino-http";

const BUILD_PATH = path.resolve("build/index.js");
const isDev = process.env.NODE_ENV === "development" && process.env.REMIX_DEV_ORIGIN;

async function importBuild() {
  return import(`${pathToFileURL(BUILD_PATH).href}?t=${Date.now()}`);
}

let build;
let config;
try {
  build = await importBuild();
  config = build.entry.module.config();
} catch (error) {
  // A bad configuration stops start-up with the message naming each variable, not a stack.
  if (error?.name === "ConfigError") {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const app = build.entry.module;

// WEB_CONCURRENCY > 1 (PostgreSQL only; PGlite is one process): the primary migrates and seeds,
// then forks that many HTTP workers sharing the port. Each worker also runs scheduled work,
// which is safe with several processes (jobs are claimed with SKIP LOCKED).
const workers = config.DATABASE_URL && !isDev ? config.WEB_CONCURRENCY : 1;
if (workers > 1 && cluster.isPrimary) {
  await startPrimary();
} else {
  await startHttp();
}

async function startPrimary() {
  try {
    await app.boot({ runWorker: false });
    await app.closeDatabase();
  } catch (error) {
    console.error("Partnerdesk failed to start:", error);
    process.exit(1);
  }
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork({ PARTNERDESK_CLUSTER_WORKER: "1" });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    app.logger.error({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
    cluster.fork({ PARTNERDESK_CLUSTER_WORKER: "1" });
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function startHttp() {
  try {
    // A cluster worker finds the database migrated and seeded by the primary and prints nothing.
    await app.boot({ quiet: process.env.PARTNERDESK_CLUSTER_WORKER === "1" });
  } catch (error) {
    console.error("Partnerdesk failed to start:", error);
    process.exit(1);
  }

  const server = express();
  server.disable("x-powered-by");
  server.set("trust proxy", config.TRUST_PROXY === "1" ? 1 : false);

  // Security headers on every response, first of all (ADR 0028): a CSP nonce per request in
  // res.locals.cspNonce, helmet's headers, Cache-Control: no-store unless a response sets its own.
  for (const middleware of app.securityHeaders({ appUrl: config.APP_URL, liveReloadOrigin: isDev ? process.env.REMIX_DEV_ORIGIN : undefined })) {
    server.use(middleware);
  }

  server.use(
    pinoHttp({
      logger: app.logger,
      autoLogging: { ignore: (req) => req.url.startsWith("/build/") || req.url === "/favicon.ico" },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
      serializers: {
        // Mailed links' tokens (/activate/…, /reset-password/…, /confirm-email/…) never reach the log.
        req: (req) => ({ method: req.method, url: app.redactTokens(req.url), ip: req.remoteAddress }),
        res: (res) => ({ statusCode: res.statusCode }),
        // The app's error serializer: no bound parameters or failing rows in logs (ADR 0027).
        err: app.serializeError,
      },
    }),
  );

  server.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  // Only paths that look like files reach the file system: page requests skip a stat() each.
  const assets = express.static("public", { maxAge: "1h" });
  // Single-fetch data requests (`/page.data`, the app's client navigations) are not files.
  server.use((req, res, next) => (/\.[A-Za-z0-9]+$/.test(req.path) && !req.path.endsWith(".data") ? assets(req, res, next) : next()));

  server.get("/healthz", (_req, res) => res.type("text").send("ok"));

  server.use((req, res, next) => {
    // The Origin check of mutations (403) and methods a data URL does not answer (405): refused
    // here, never thrown by Remix as a 500 (app/utils/origin.server.ts, ADR 0027).
    const verdict = app.screenRequest({ method: req.method, pathname: req.path, header: (h) => req.get(h) }, config.APP_URL);
    if (verdict.ok) return next();
    req.log.warn({ reason: verdict.reason }, "refused request");
    if (verdict.status === 405) res.set("Allow", "GET, POST");
    res.status(verdict.status).type("text").send(verdict.message);
  });

  const getLoadContext = (req, res) => ({ clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown", cspNonce: res.locals.cspNonce });

  // In development (`npm run dev`), the build is re-imported when remix rebuilds it.
  let handler = createRequestHandler({ build, mode: build.mode, getLoadContext });
  if (isDev) {
    const { broadcastDevReady } = await import("@remix-run/node");
    let timer;
    fs.watch(path.dirname(BUILD_PATH), () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        build = await importBuild();
        handler = createRequestHandler({ build, mode: "development", getLoadContext });
        broadcastDevReady(build);
      }, 100);
    });
  }
  server.all("*", (req, res, next) => handler(req, res, next));

  const listener = server.listen(config.PORT, config.HOST, async () => {
    app.logger.info({ port: config.PORT, appUrl: config.APP_URL, pid: process.pid }, "Partnerdesk listening");
    if (isDev) {
      const { broadcastDevReady } = await import("@remix-run/node");
      broadcastDevReady(build);
    }
  });

  async function shutdown(signal) {
    app.logger.info({ signal }, "shutting down");
    listener.close();
    await app.startWorker().stop();
    await app.closeDatabase();
    process.exit(0);
  }
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}
