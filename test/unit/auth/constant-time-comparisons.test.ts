// Every check of a secret (a token, a state, a CSRF value, a signature, a digest) compares in
// constant time: crypto.timingSafeEqual, or a lookup by SHA-256 digest (storage finds API tokens,
// sessions and OAuth tokens and codes by their hash, so the secret itself is never compared). A
// plain `===` or `!==` on such a value in the code that authenticates fails this test; the few
// allowed are listed with the reason.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../../helpers/snag.js';

const SCANNED = ['src/auth', 'src/api', 'src/mcp', 'src/domain/tokens', 'src/domain/users', 'src/ingest'];
const SECRET_NAME = /(state|token|secret|password|signature|digest|csrf|nonce|verifier|sid)\b/i;
/** Operands that are not secrets even with such a name: literals, types, enums. */
const NOT_A_SECRET =
  /^(['"`].*|null|undefined|true|false|\d+|typeof\b.*|.*\.(kind|type|mode|status|length|error|protocol|hash|name)\)?)$/;
const COMPARISON = /([\w.$?[\]'"()]+)\s*[!=]==\s*([\w.$?[\]'"()]+)/g;

/** `file: comparison` (not a line number: edits above it must not matter) → why it is acceptable. */
const ALLOWED: Record<string, string> = {
  // Reported to the integrator (docs/reliability.md): timingSafeEqual would be tidier. The state
  // is compared with the flow found by the caller's own cookie: timing it reveals the state to
  // that browser only, which holds it in the URL already.
  "src/auth/github.ts: q.get('state') !== flow.state": 'the state of the caller-bound sign-in flow',
};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('secrets are compared in constant time', () => {
  const found: string[] = [];
  for (const file of SCANNED.flatMap((d) => walk(path.join(REPO_ROOT, d)))) {
    const rel = path.relative(REPO_ROOT, file);
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const m of line.matchAll(COMPARISON)) {
          const operands = [m[1]!, m[2]!].map((o) => o.replace(/^[(!]+|[)\];,]+$/g, ''));
          const secret = operands.some((o) => SECRET_NAME.test(o) && !NOT_A_SECRET.test(o));
          if (
            secret &&
            !operands.some((o) => NOT_A_SECRET.test(o)) &&
            !ALLOWED[`${rel}: ${m[0].replace(/^[(!]+|[)\];,]+$/g, '')}`]
          )
            found.push(`${rel}:${i + 1}: ${line.trim()}`);
        }
      });
  }
  expect(found).toEqual([]);
});

test('the scan finds a plain comparison of a token', () => {
  const line = "if (request.headers['x-token'] !== expectedToken) throw refuse();";
  const m = [...line.matchAll(COMPARISON)][0]!;
  expect(SECRET_NAME.test(m[2]!) && !NOT_A_SECRET.test(m[2]!)).toBe(true);
});
