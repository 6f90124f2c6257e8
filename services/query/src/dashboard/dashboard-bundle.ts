import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:dashboard` writes the bundle (`services/query/dashboard/dist`), from src/ or a compiled dist/. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

/** One file of the bundle, held in memory: the process serves it without touching the disk again. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong validator of the content; the page's URLs carry it too, so a new build is never mixed with an old one. */
  readonly etag: string;
}

/** The built dashboard, or why there is none. */
export type DashboardBundle =
  | { readonly ok: true; readonly dir: string; readonly assets: ReadonlyMap<string, DashboardAsset> }
  | { readonly ok: false; readonly dir: string; readonly reason: string };

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
/** The files the page cannot run without. */
const REQUIRED = ['dashboard.js', 'dashboard.css'] as const;

/** Reads the bundle once, at start; a missing or partial build is reported, never served as a blank page. */
export function loadDashboardBundle(dir: string = DEFAULT_DASHBOARD_DIR): DashboardBundle {
  const missing = REQUIRED.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) return { ok: false, dir, reason: `${missing.join(' and ')} not found in ${dir}` };
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, { body, contentType: type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return { ok: true, dir, assets };
}
