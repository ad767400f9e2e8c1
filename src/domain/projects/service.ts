/** Projects: creation (slug, key), listing with DSNs, the default project of a fresh install. */
import { randomBytes } from 'node:crypto';
import { AppError, badRequest } from '../../errors.js';
import { formatDsn } from './dsn.js';
import type { AppStore, Project } from '../../storage/index.js';

export interface ProjectView {
  id: number;
  slug: string;
  name: string;
  dsn: string;
  public_key: string;
  platform: string | null;
  created_at: string;
}

const MAX_NAME_CHARS = 100;

export function createProjectService(store: AppStore, publicUrl: string) {
  function view(p: Project): ProjectView {
    return {
      id: p.id,
      slug: p.slug,
      name: p.name,
      dsn: formatDsn(publicUrl, p.public_key, p.id),
      public_key: p.public_key,
      platform: p.platform,
      created_at: new Date(p.created_at).toISOString(),
    };
  }

  function createProject(rawName: string, now = Date.now()): ProjectView {
    const name = checkName(rawName);
    const base = slugify(name);
    // Projects are found by slug before id (findProject): a project named "2" (slug "2") would
    // shadow project 2 on every route, in the CLI and MCP alike. Found by fuzz-api-writes.test.ts.
    if (/^\d+$/.test(base))
      throw badRequest(
        `A project name needs a letter: "${base}" would read as a project id. Try "project ${base}".`,
      );
    let slug = base;
    for (let n = 2; store.slugExists(slug); n++) slug = `${base}-${n}`;
    return view(
      store.insertProject({ slug, name, public_key: mintPublicKey(), platform: null, created_at: now }),
    );
  }

  return {
    createProject,
    listProjects: () => store.listProjects().map(view),

    /** Slug, numeric id or exact name: what a person or an agent is likely to type. */
    findProject(ref: string | number): ProjectView | undefined {
      const s = String(ref).trim();
      const p =
        store.findProjectBySlug(s) ??
        (/^\d+$/.test(s) ? store.findProjectById(Number(s)) : undefined) ??
        store.listProjects().find((x) => x.name.toLowerCase() === s.toLowerCase());
      return p && view(p);
    },

    getProject(ref: string | number): ProjectView {
      const p = this.findProject(ref);
      if (!p) {
        throw new AppError(
          'project_not_found',
          404,
          `No project "${ref}": list them with GET /api/v1/projects or \`snag project list\`.`,
        );
      }
      return p;
    },

    findProjectByKey: (publicKey: string) => store.findProjectByKey(publicKey),

    renameProject(ref: string | number, rawName: string): ProjectView {
      const p = this.getProject(ref);
      const name = checkName(rawName);
      store.renameProject(p.id, name);
      return { ...p, name };
    },

    /** A new public key; the old DSN stops working at once (ingest looks keys up per request). */
    rotateKey(ref: string | number): ProjectView {
      const p = this.getProject(ref);
      const key = mintPublicKey();
      store.setProjectKey(p.id, key);
      return view({ ...store.findProjectById(p.id)!, public_key: key });
    },

    /** A fresh install gets one project so the first start can print a working DSN. */
    ensureDefaultProject(name: string): ProjectView {
      const existing = store.listProjects();
      return existing.length > 0 ? view(existing[0]!) : createProject(name);
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;

function checkName(raw: string): string {
  const name = raw.trim();
  if (!name) throw badRequest('A project needs a name, e.g. `snag project create "Web shop"`.');
  if (name.length > MAX_NAME_CHARS)
    throw badRequest(`Project names are at most ${MAX_NAME_CHARS} characters.`);
  return name;
}

/** 32 lowercase hex: what every SDK's DSN parser accepts (the JS one refuses dashes). */
const mintPublicKey = () => randomBytes(16).toString('hex');

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || 'project';
}
