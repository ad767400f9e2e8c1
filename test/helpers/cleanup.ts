/**
 * Test teardown for a RunningSnag: SIGTERM, a bounded wait, SIGKILL if it is still there, then the
 * data dir goes. The bound exists because `snag serve` has been seen not to exit after SIGTERM
 * (crash-recovery.test.ts asserts the clean exit on its own); teardown must not hang on it.
 */
import fs from 'node:fs';
import type { RunningSnag } from './snag.js';

const STOP_GRACE_MS = 3_000;

export async function stopAndRemove(
  snag: RunningSnag | undefined,
  options: { keepData?: boolean } = {},
): Promise<void> {
  if (!snag) return;
  await stopWithin(snag, STOP_GRACE_MS);
  if (!options.keepData) fs.rmSync(snag.dataDir, { recursive: true, force: true });
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves to true when the process exited on its own. */
export async function stopWithin(snag: RunningSnag, graceMs: number): Promise<boolean> {
  if (snag.proc.exitCode !== null || snag.proc.signalCode !== null) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const exited = snag.stop().then(() => true as const);
  const clean = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (!clean) await snag.kill();
  return clean;
}
