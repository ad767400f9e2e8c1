/** Token lifetimes as people type them: `30d`, `12h`, `90m`, `2w`, `1y`. */
import { badRequest } from '../../errors.js';

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};
/** Ten years: past that a token is effectively permanent, which is what omitting the expiry says. */
const MAX_LIFETIME_MS = 10 * 365 * 86_400_000;

export function parseLifetime(raw: string): number {
  const m = /^\s*(\d+)\s*([mhdwy])\s*$/i.exec(raw);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : NaN;
  if (!(ms > 0) || ms > MAX_LIFETIME_MS)
    throw badRequest(
      `Token lifetime ${JSON.stringify(raw)} is not understood: use a number and a unit, e.g. 90m, 12h, 30d, 2w or 1y (at most 10y), or leave it out for a token that does not expire.`,
      'invalid_expiry',
    );
  return ms;
}
