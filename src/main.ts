// The process behind `npm start`: load settings, start the service, stop cleanly on signals.
import { ConfigError, loadConfig } from './config.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Palaver cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const service = await startService(config);
  service.app.log.info({ publicUrl: config.publicUrl, database: config.databasePath }, `Palaver is serving on port ${config.port}`);
  const shutdown = (signal: string) => {
    service.app.log.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`Palaver stopped: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
