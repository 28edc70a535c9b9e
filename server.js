// Partnerdesk HTTP server: Express + the Remix build. Start-up (migrations, demo seed,
// scheduled work) and the Origin check come from the build, so the app has one set of modules.
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

let build = await importBuild();
const app = build.entry.module;

let config;
try {
  config = app.config();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

try {
  await app.boot();
} catch (error) {
  console.error("Partnerdesk failed to start:", error);
  process.exit(1);
}

const server = express();
server.disable("x-powered-by");
server.set("trust proxy", config.TRUST_PROXY === "1" ? 1 : false);

server.use(
  pinoHttp({
    logger: app.logger,
    autoLogging: { ignore: (req) => req.url.startsWith("/build/") || req.url === "/favicon.ico" },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
    serializers: {
      req: (req) => ({ method: req.method, url: req.url, ip: req.remoteAddress }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
  }),
);

server.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
server.use(express.static("public", { maxAge: "1h" }));

server.get("/healthz", (_req, res) => res.type("text").send("ok"));

server.use((req, res, next) => {
  const verdict = app.checkOrigin(
    { method: req.method, origin: req.get("origin"), referer: req.get("referer") },
    config.APP_URL,
  );
  if (verdict.ok) return next();
  req.log.warn({ reason: verdict.reason }, "refused cross-origin mutation");
  res.status(403).type("text").send(`Forbidden: ${verdict.reason}. Mutations must come from ${config.APP_URL}.`);
});

const getLoadContext = (req) => ({ clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown" });

server.all(
  "*",
  isDev
    ? async (req, res, next) => {
        try {
          return createRequestHandler({ build: await importBuild(), mode: "development", getLoadContext })(req, res, next);
        } catch (error) {
          next(error);
        }
      }
    : createRequestHandler({ build, mode: build.mode, getLoadContext }),
);

const listener = server.listen(config.PORT, config.HOST, async () => {
  app.logger.info({ port: config.PORT, appUrl: config.APP_URL }, "Partnerdesk listening");
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
