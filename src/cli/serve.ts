/** `snag serve`: start everything and stop cleanly on SIGINT/SIGTERM. */
import { loadConfig } from '../config.js';
import { startServer } from '../main.js';

export async function runServe(_args: string[]): Promise<number> {
  const config = loadConfig();
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
    const stop = (signal: string) => {
      server.log.info({ signal }, 'shutting down');
      server.close().then(resolve, (err: unknown) => {
        server.log.error({ err }, 'error while shutting down');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
