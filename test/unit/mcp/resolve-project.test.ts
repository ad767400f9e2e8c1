import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { resolveProject, resolveProjects } from '../../../src/mcp/resolve-project.js';

const projects = [
  { id: 1, slug: 'default', name: 'default' },
  { id: 2, slug: 'web-shop', name: 'Web shop' },
  { id: 3, slug: 'web-shop-2', name: 'Web shop' },
  { id: 12, slug: '7', name: 'Seven' },
];

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('resolveProject', () => {
  it('matches a slug in any case first, then a name, then an id', () => {
    expect(resolveProject(projects, 'WEB-SHOP').id).toBe(2);
    expect(resolveProject(projects, 'seven').id).toBe(12);
    expect(resolveProject(projects, 12).id).toBe(12);
    expect(resolveProject(projects, '2').id).toBe(2);
    // A slug that looks like an id wins over the id.
    expect(resolveProject(projects, '7').id).toBe(12);
  });

  it('refuses an ambiguous name, listing the slugs to use instead', () => {
    const message = messageOf(() => resolveProject(projects, 'web shop'));
    expect(message).toContain('matches 2 projects');
    expect(message).toContain('web-shop ("Web shop", id 2)');
    expect(message).toContain('web-shop-2');
  });

  it('names the known projects when nothing matches', () => {
    const message = messageOf(() => resolveProject(projects, 'shop'));
    expect(message).toMatch(/^No project "shop"\. Projects: default/);
    expect(message).toContain('list_projects');
  });

  it('needs a project only when there is more than one', () => {
    expect(resolveProject(projects.slice(0, 1), undefined).slug).toBe('default');
    expect(messageOf(() => resolveProject(projects, undefined))).toContain('Several projects exist');
    expect(messageOf(() => resolveProject([], 'x'))).toContain('snag project create');
  });

  it('resolveProjects spans every project when none is named', () => {
    expect(resolveProjects(projects, undefined)).toHaveLength(4);
    expect(resolveProjects(projects, 'default').map((p) => p.id)).toEqual([1]);
  });
});
