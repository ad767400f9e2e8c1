/**
 * Chromium driven over its DevTools pipe (--remote-debugging-pipe: JSON messages ended by NUL on
 * fds 3 and 4), with no client library. bench/ui-list.js uses it to load pages with nothing
 * attached to them: Playwright attaches to every page and enables its domains during the load,
 * which costs the page's main thread time a user's browser never spends (docs/benchmarks.md).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function launchChromiumPipe(executablePath, args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-chromium-'));
  const child = spawn(
    executablePath,
    [...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const pending = new Map();
  let nextId = 0;
  let buffered = '';
  child.stdio[4].on('data', (chunk) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const waiter = pending.get(message.id);
      if (!waiter) continue; // an event: nothing here subscribes to any
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    /** One CDP command; `sessionId` addresses a page attached with Target.attachToTarget. */
    send(method, params = {}, sessionId) {
      return new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject, method });
        child.stdio[3].write(
          JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0',
        );
      });
    },
    async close() {
      child.kill();
      await exited;
      // Its child processes can still be writing to the profile when the browser has exited.
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
