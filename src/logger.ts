import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log object. */
const redact = [
  'password', '*.password', 'apiKey', '*.apiKey', 'authorization', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'token', '*.token', 'secret', '*.secret',
];

export function createLogger(options: { level: string; format?: 'json' | 'pretty' }): Logger {
  const pretty = options.format === 'pretty' || (options.format === undefined && process.stdout.isTTY);
  return pino({
    level: options.level,
    redact: { paths: redact, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
