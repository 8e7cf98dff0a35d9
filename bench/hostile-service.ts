// The service of the hostile benchmark (bench/hostile.ts) in a process of its own, so that the
// attacks and the /health probe run elsewhere: starts src/service.ts on a loopback port with the
// settings file given and tells its parent the address.
import { loadConfig } from '../src/config.ts';
import { startService } from '../src/service.ts';

const [configFile] = process.argv.slice(2);
if (!configFile) throw new Error('usage: hostile-service.ts <config file>');
const config = loadConfig({ file: configFile, env: { FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent' } });
const service = await startService(config);
process.send!({ address: service.address });
process.on('message', (m) => {
  if (m === 'stop') void service.stop().then(() => process.exit(0));
});
