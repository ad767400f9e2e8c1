/**
 * Log records live in one pair of tables per UTC day: `logs_<day>` (promoted columns and the
 * compressed record) and `logs_fts_<day>` (the full-text index), `<day>` being days since the
 * epoch. Measured against one table pair for all days (docs/benchmarks.md, "Logs storage design"):
 * retention is a DROP TABLE instead of deleting millions of rows and their index entries, an index
 * with no deletes needs no `contentless_delete` and so no per-row docsize table (-17 B/record), a
 * past day's index is merged once into one segment, and newest-first search walks days newest
 * first and stops when the page is full.
 *
 * Row ids order records by time: id = time in ms × ID_SLOTS_PER_MS + a sequence number, so
 * newest-first is `ORDER BY id DESC`, a time range is an id range that FTS5 applies inside the
 * index, and a histogram reads times from ids without touching rows. A millisecond holds 64 ids
 * (64,000 records/s before a burst spills into the next millisecond, above what one writer stores);
 * ids stay below 2^53, so JavaScript numbers hold them. Time-ordered ids cost index bytes over
 * arrival-order ids (rowid deltas grow: 123 against 88 B/record of index at 2,000 records/s), the
 * price of time order.
 */

export const ID_SLOTS_PER_MS = 64;
export const DAY_MS = 86_400_000;

export const dayOfMs = (ms: number) => Math.floor(ms / DAY_MS);
export const msOfId = (id: number) => Math.floor(id / ID_SLOTS_PER_MS);
export const dayOfId = (id: number) => dayOfMs(msOfId(id));
/** The first id of a millisecond: `id >= firstIdOfMs(from)` and `id < firstIdOfMs(to)` select [from, to). */
export const firstIdOfMs = (ms: number) => ms * ID_SLOTS_PER_MS;

export const logsTable = (day: number) => `logs_${day}`;
export const ftsTable = (day: number) => `logs_fts_${day}`;

/**
 * Merging index segments is most of what an insert costs. FTS5 merges a level once it holds
 * `automerge` segments (default 4): 16 rewrites each entry about half as often, measured on the
 * bench corpus 15 → 10 µs per record, and a day that is over is merged into one segment anyway
 * (logs-digest-store.ts). `crisismerge` must stay above it. A 1,000-record batch holds more
 * pending terms than the default 1 MB `hashsize`, which flushes mid-batch: 8 MB measured 15.0 →
 * 12.4 µs per record.
 */
const FTS_AUTOMERGE = 16;
const FTS_CRISISMERGE = 32;
const FTS_HASH_BYTES = 8 * 1024 * 1024;

/**
 * `time_delta_us` is the record's time minus its id's millisecond: 1–2 bytes for a record whose
 * clock was sane, instead of 8 for the full time. `level` is 1 (trace) … 6 (fatal).
 *
 * The index is contentless (the text is never stored: the record is, compressed) with
 * `detail=none` (no positions or columns: 123 B/record against 211 for `detail=column` and 216 for
 * `full` at 200,000 records, and the fastest to write). Phrases are checked on the records that match
 * all their words; attribute pairs and hot fields are tokens that body words cannot spell (see
 * logs-fts.ts), so no column filter is needed. `~` is a token character so that a pair token is one
 * token; it is removed from indexed text.
 */
export function createPartitionSql(day: number): string {
  return `
    CREATE TABLE IF NOT EXISTS ${logsTable(day)} (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL,
      time_delta_us INTEGER NOT NULL,
      level INTEGER NOT NULL,
      trace_id BLOB,
      span_id BLOB,
      dict_id INTEGER NOT NULL,
      payload BLOB NOT NULL
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS ${ftsTable(day)} USING fts5(
      text, content='', columnsize=0, detail=none, tokenize="unicode61 tokenchars '~'"
    );
    INSERT INTO ${ftsTable(day)} (${ftsTable(day)}, rank) VALUES ('automerge', ${FTS_AUTOMERGE});
    INSERT INTO ${ftsTable(day)} (${ftsTable(day)}, rank) VALUES ('crisismerge', ${FTS_CRISISMERGE});
    INSERT INTO ${ftsTable(day)} (${ftsTable(day)}, rank) VALUES ('hashsize', ${FTS_HASH_BYTES});`;
}

export function dropPartitionSql(day: number): string {
  return `DROP TABLE IF EXISTS ${ftsTable(day)}; DROP TABLE IF EXISTS ${logsTable(day)};`;
}

/**
 * Hands out time-ordered ids to the single writer. It remembers the next free sequence number of
 * recent milliseconds; a millisecond it has not seen at or below the newest one stored is looked up
 * once (`maxIdInSlot`), which happens only for records that arrive out of time order.
 */
export function createIdAllocator(maxStoredId: number, maxIdInSlot: (firstId: number) => number | null) {
  const nextSeq = new Map<number, number>();
  let headMs = msOfId(maxStoredId);
  const MAX_REMEMBERED_MS = 100_000;
  /** Spilling past this many full milliseconds means a flood of one timestamp: take the next id after the head. */
  const MAX_SPILL_MS = 1000;

  return function allocateId(ms: number): number {
    // A millisecond already filled is skipped in one step: under a flood of one timestamp, walking
    // full slots one by one cost 73 µs per record at 70,000 records/s (bench logs stage).
    if (ms < headMs && nextSeq.get(ms) === ID_SLOTS_PER_MS && nextSeq.get(headMs) !== undefined) ms = headMs;
    for (let slot = ms; slot < ms + MAX_SPILL_MS; slot++) {
      let seq = nextSeq.get(slot);
      if (seq === undefined) {
        if (nextSeq.size >= MAX_REMEMBERED_MS) nextSeq.clear();
        const stored = slot <= headMs ? maxIdInSlot(firstIdOfMs(slot)) : null;
        seq = stored === null ? 0 : stored - firstIdOfMs(slot) + 1;
      }
      if (seq < ID_SLOTS_PER_MS) {
        nextSeq.set(slot, seq + 1);
        if (slot > headMs) headMs = slot;
        return firstIdOfMs(slot) + seq;
      }
      nextSeq.set(slot, ID_SLOTS_PER_MS);
    }
    return allocateId(headMs + 1);
  };
}
