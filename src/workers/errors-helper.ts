/**
 * Entry point of the errors thread's helper (workers/errors-pipeline.ts starts it): digests the
 * slices of `event` jobs the errors thread hands it, taking them one at a time from the counter it
 * shares with the errors thread (unpack, parse, normalize, scrub, group,
 * stringify, compress: all pure but the compression, which uses the dictionary it is sent) and
 * answers with each row as it is made. It never opens a database: the errors thread
 * reads the queue and remains errors.db's only writer, so the cursor and exactly-once rules are
 * unchanged. It imports only the digest code (no storage/index.js, no Kysely), to stay small.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { scheduleFirstFullGc } from '../first-full-gc.js';
import { createPayloadCodec } from '../storage/payload-codec.js';
import { errorText } from './storage-errors.js';
import { digestEventJob } from './jobs/digest-event.js';
import type {
  HelperData,
  HelperRequest,
  HelperResponse,
  JobOutcome,
  SentJob,
} from './errors-helper-protocol.js';
import { DIGEST_THREAD_NICE, lowerThisThreadPriority } from './thread-priority.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

const data = workerData as HelperData;
const port: MessagePort = data.port;
const signal = new Int32Array(data.signal);
// The same priority as the errors thread: it does the errors thread's work (docs/architecture.md).
lowerThisThreadPriority(DIGEST_THREAD_NICE);
scheduleFirstFullGc();
const codec = createPayloadCodec();

function reply(m: HelperResponse): void {
  port.postMessage(m);
  // The errors thread waits for answers synchronously (Atomics.wait), not on its event loop.
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function digestOne(sent: SentJob): JobOutcome {
  // Structured clone turns a Buffer into a plain Uint8Array.
  const job = {
    ...sent,
    payload: Buffer.from(sent.payload.buffer, sent.payload.byteOffset, sent.payload.length),
  };
  try {
    return { event: digestEventJob(unpackJob(job, data.maxDecompressedBytes), data.scrub, codec) };
  } catch (err) {
    if (err instanceof InvalidPayloadError) return { invalid: true };
    return { error: { message: (err as Error)?.message ?? String(err), text: errorText(err) } };
  }
}

port.on('message', (m: HelperRequest) => {
  if (m.type === 'dictionary') {
    const d = m.dictionary;
    codec.useDictionary(
      d && { id: d.id, bytes: Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.length) },
    );
    return;
  }
  const claim = new Int32Array(m.claim);
  for (let i = Atomics.add(claim, 0, 1); i < m.jobs.length; i = Atomics.add(claim, 0, 1)) {
    reply({ type: 'outcome', seq: m.seq, index: i, outcome: digestOne(m.jobs[i]!) });
  }
});
reply({ type: 'ready' });
