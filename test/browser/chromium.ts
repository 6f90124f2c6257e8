import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`); playwright-core drives it, no downloaded browser. The variable
 * is for a machine that keeps it elsewhere, and for checking the skip/fail paths without uninstalling it.
 */
export const CHROMIUM = process.env.VIGIL_TEST_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Whether the browser is installed. */
export const hasChromium = existsSync(CHROMIUM);
/** CI must run the browser tests; a developer machine without the browser skips them, loudly. */
export const mustRunBrowser = process.env.CI === 'true';
/** Where the screenshots go; a fixed place so that a person can look at them after a run. */
export const SCREENSHOT_DIR = join(tmpdir(), 'vigil-dashboard-e2e');

/** Says why a browser test is skipped (call at module level). */
export function warnIfSkipped(what: string): void {
  if (!hasChromium && !mustRunBrowser) {
    console.warn(`[test/browser] SKIPPED ${what}: ${CHROMIUM} is not installed (apt-get install -y chromium). With CI=true this fails instead.`);
  }
}

/** Fails a CI run that has no browser. */
export function requireChromium(): void {
  if (!hasChromium) throw new Error(`${CHROMIUM} is not installed and CI=true requires the browser tests: apt-get install -y chromium (as .ci/run does)`);
}

/** A fresh Chromium profile and page; uncaught page errors and console errors are collected for a final check. */
export interface OpenBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Opens a browser on a throwaway profile. */
export async function openBrowser(viewport = { width: 1440, height: 900 }): Promise<OpenBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    // Refused keys and a server that is down are logged by Chromium as failed loads; those are expected.
    const text = msg.text();
    if (msg.type() === 'error' && !text.startsWith('Failed to load resource') && !text.includes('ERR_CONNECTION_REFUSED')) pageErrors.push(text);
  });
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot among the artifacts and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** The status an agent's row shows right now ('' while the row is not in the DOM); never waits. */
export async function statusShown(page: Page, agentId: string): Promise<string> {
  const texts = await page.locator(`.vrow[data-agent="${agentId}"] [data-col=status] .badge`).allTextContents();
  return texts.join(',');
}
