/**
 * Projects are found by slug before id, so a slug of digits would shadow the project with that id
 * on every route (API, sentry-cli, MCP) whichever edge created it: the domain refuses it, so
 * `snag project create 1` is refused like `POST /api/v1/projects {"name":"1"}`
 * (docs/reliability.md, finding 10).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createProjectService } from '../../../src/domain/projects/service.js';
import { migrateAll, openStorage, type Storage } from '../../../src/storage/index.js';

let dir: string;
let storage: Storage;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-projects-'));
  migrateAll(dir);
  storage = openStorage(dir);
});
afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('refuses names whose slug is all digits and keeps the projects as they were', () => {
  const projects = createProjectService(storage.app, 'http://127.0.0.1:8000');
  const first = projects.createProject('Web shop');
  for (const name of ['1', ' 007 ', '-1', String(first.id)]) {
    expect(() => projects.createProject(name), name).toThrow(/needs a letter/);
  }
  expect(projects.listProjects().map((p) => p.slug)).toEqual(['web-shop']);
  expect(projects.createProject('project 1').slug).toBe('project-1');
  expect(projects.getProject(String(first.id)).slug).toBe('web-shop');
});
