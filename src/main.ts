import { ConfigError } from './config/env.js';
import { startApp } from './app.js';

/** `npm start`: serve until SIGTERM/SIGINT, then drain in-flight requests, close the database and exit 0. */
try {
  const app = await startApp();
  const stop = (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`chargebee-sync failed to start: ${(error as Error).message}`);
  }
  process.exit(1);
}
