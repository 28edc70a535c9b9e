import pino from "pino";
import { config } from "./config.server";

const g = globalThis as typeof globalThis & { __partnerdesk_logger?: pino.Logger };

/** Structured JSON logs (pino); pipe through pino-pretty to read them in a terminal. */
export const logger: pino.Logger = (g.__partnerdesk_logger ??= pino({
  level: config().LOG_LEVEL,
  base: { service: "partnerdesk" },
  redact: ["req.headers.cookie", "res.headers[\"set-cookie\"]", "password"],
}));
