// Partnerdesk HTTP server: Express + the Remix build. Start-up (migrations, demo seed,
// scheduled work) and the Origin check come from the build, so the app has one set of modules.
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
  if (error?.name === "ConfigError" || error?.constructor?.name === "ConfigError") {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const app = build.entry.module;

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
