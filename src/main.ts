// The process behind `npm start`: load settings, start the service, stop cleanly on signals.
import { ConfigError, loadConfig } from './config.ts';
import { describeTakenPort, findFreePortAfter, findPortOwner } from './port-owner.ts';
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
  let service;
  try {
    service = await startService(config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    const owner = findPortOwner(config.port);
    console.error(describeTakenPort({ port: config.port, host: config.host, code, owner, freePort: await findFreePortAfter(config.port, config.host), command: 'npm start' }));
    process.exit(1);
  }
  service.app.log.info({ publicUrl: config.publicUrl, database: service.database.label, registrations: config.registry.moderation }, `Palaver is serving on port ${config.port}`);
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
