/**
 * Kysely as a typed query builder only: queries are compiled to SQL for the SQLite dialect and run
 * synchronously through better-sqlite3 with a prepared-statement cache. Synchronous execution keeps
 * a worker batch in one short transaction without awaits inside it; a PostgreSQL adapter would swap
 * the compiler here and make the store functions async (see docs/architecture.md).
 */
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Db } from './sqlite.js';

export function createBuilder<Schema>(): Kysely<Schema> {
  return new Kysely<Schema>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

type Params = unknown[];

/** Prepared statements keyed by SQL text; builder queries of the same shape share one. */
export class Runner {
  private readonly cache = new Map<string, Statement<unknown[]>>();
  constructor(readonly db: Db) {}

  private statement(sql: string): Statement<unknown[]> {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[]>(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  all<Row>(query: Compilable<Row>): Row[] {
    const { sql, parameters } = query.compile();
    return this.statement(sql).all(...(parameters as Params)) as Row[];
  }

  first<Row>(query: Compilable<Row>): Row | undefined {
    const { sql, parameters } = query.compile();
    return this.statement(sql).get(...(parameters as Params)) as Row | undefined;
  }

  run(query: Compilable<unknown>): { changes: number; lastInsertRowid: number } {
    const { sql, parameters } = query.compile();
    const info = this.statement(sql).run(...(parameters as Params));
    return { changes: info.changes, lastInsertRowid: Number(info.lastInsertRowid) };
  }

  /** Raw SQL for hot paths whose shape never changes (prepared once, bound per call). */
  prepare(sql: string): Statement<unknown[]> {
    return this.statement(sql);
  }
}
