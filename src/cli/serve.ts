/** `snag serve`: start everything and stop cleanly on SIGINT/SIGTERM. */
import { loadConfig } from '../config.js';
import { scheduleFirstFullGc } from '../first-full-gc.js';
import { startServer } from '../main.js';

export async function runServe(_args: string[]): Promise<number> {
  const config = loadConfig();
  scheduleFirstFullGc();
  const server = await startServer(config);
  const { defaultProject: p } = server;
  console.log(
    [
      '',
      `  Snag is running.`,
      `  UI:   ${server.url}/`,
      `  DSN:  ${p.dsn}   (project "${p.name}")`,
      `  Data: ${config.dataDir}`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.log.info({ signal }, 'shutting down');
      server.close().then(resolve, (err: unknown) => {
        server.log.error({ err }, 'error while shutting down');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Started by a waiting `snag serve` (serve-launch.ts, Node 20): stop when it is gone.
    if (process.channel) {
      process.channel.unref();
      process.once('disconnect', () => stop('parent exited'));
    }
  });
  return 0;
}
