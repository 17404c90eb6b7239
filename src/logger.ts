import pino, { type Logger } from "pino";

export type { Logger };

/**
 * JSON lines, one per event. Secrets are redacted by path wherever they might be logged by accident.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "roster" },
      redact: {
        paths: [
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "apiKey",
          "*.apiKey",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
