import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { hasChromium, mustRunBrowser, openBrowser, requireChromium, screenshot, statusShown, warnIfSkipped, type OpenBrowser } from './chromium.ts';
import { startVigilUp, type VigilUpProcess } from './vigil-up-process.ts';

warnIfSkipped('the dashboard browser test');

const API_KEY = 'browser-test-key';
const BEAT_EVERY_MS = 400;
/** Bound of every wait for the live page: thresholds are 2 s and 4 s, windows 500 ms. */
const LIVE_TIMEOUT_MS = 20_000;

let vigil: VigilUpProcess | null = null;
let browser: OpenBrowser | null = null;
let beatTimer: NodeJS.Timeout | null = null;
const tempDirs: string[] = [];

afterEach(async () => {
  if (beatTimer !== null) clearInterval(beatTimer);
  beatTimer = null;
  await browser?.close();
  browser = null;
  await vigil?.stop();
  vigil = null;
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Heartbeats (with a metric sample each) for the given agents, every BEAT_EVERY_MS, until the test ends. */
function beatFor(url: string, beating: Set<string>): void {
  let n = 0;
  const beat = async (): Promise<void> => {
    if (beating.size === 0) return;
    n++;
    const res = await fetch(`${url}/v1/heartbeats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        heartbeats: [...beating].map((agentId) => ({
          agentId,
          intervalSeconds: 1,
          host: 'ci-box',
          version: '1.4.2',
          labels: { team: agentId === 'agent-a' ? 'search' : 'billing', zone: 'eu-1' },
          metrics: [{ success: n % 10 !== 0, latencyMs: 100 + (n % 7) * 40, costUsd: 0.002 }],
        })),
      }),
    });
    if (res.status !== 202) throw new Error(`heartbeat answered ${res.status}: ${await res.text()}`);
  };
  void beat().catch(() => undefined);
  beatTimer = setInterval(() => void beat().catch(() => undefined), BEAT_EVERY_MS);
}

function upArgs(dataDir: string, port = 0): string[] {
  return ['--data', dataDir, '--api-key', API_KEY, '--port', String(port), '--degraded-after', '2s', '--unreachable-after', '4s', '--window', '500ms', '--log-level', 'warn'];
}

async function expectStatus(page: Page, agentId: string, status: string): Promise<void> {
  await expect.poll(() => statusShown(page, agentId), { timeout: LIVE_TIMEOUT_MS, interval: 100, message: `${agentId} shown as ${status}` }).toBe(status);
}

async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Connect' }).click();
}

describe.skipIf(!hasChromium && !mustRunBrowser)('the dashboard in headless Chromium', () => {
  it('logs in from the URL fragment, shows agents live, filters by status and label, kills and resumes, and draws an agent page', async () => {
    requireChromium();
    vigil = await startVigilUp(upArgs(tempDir('vigil-dashboard-data-')));
    browser = await openBrowser();
    const { page, pageErrors } = browser;

    // `vigil dashboard` prints this URL: the key rides in the fragment, which never reaches the server.
    await page.goto(`${vigil.url}/dashboard#key=${encodeURIComponent(API_KEY)}`);
    await page.locator('#conn[data-state=live]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(page.url()).toBe(`${vigil.url}/dashboard`);
    expect(await page.evaluate("localStorage.getItem('vigil.apiKey')")).toBe(API_KEY);
    await page.evaluate('window.__sameDocument = true');

    // A new agent appears, without a reload, soon after its first beat.
    const beating = new Set(['agent-a', 'agent-b']);
    const firstBeat = Date.now();
    beatFor(vigil.url, beating);
    await page.locator('.vrow[data-agent="agent-a"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const appearedMs = Date.now() - firstBeat;
    console.info(`[test/browser] a new agent appeared on the page ${appearedMs} ms after its first beat`);
    await expectStatus(page, 'agent-b', 'healthy');

    // agent-a goes silent: the stream's transitions, not a reload, bring degraded and then unreachable.
    beating.delete('agent-a');
    await expectStatus(page, 'agent-a', 'degraded');
    await expectStatus(page, 'agent-a', 'unreachable');
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    await expect.poll(() => page.locator('.summary [data-status=unreachable] .count').textContent(), { timeout: LIVE_TIMEOUT_MS }).toBe('1');

    // Status counts are filters; a label chip is a filter too.
    await page.locator('.summary [data-status=unreachable] button').click();
    await expect.poll(() => page.locator('.vrow[data-agent]').count(), { timeout: LIVE_TIMEOUT_MS }).toBe(1);
    expect(new URL(page.url()).searchParams.get('status')).toBe('unreachable');
    await page.locator('.summary [data-status=unreachable] button').click();
    await page.locator('.vrow[data-agent="agent-b"] .chip', { hasText: 'team:billing' }).click();
    await expect.poll(() => page.locator('.vrow[data-agent]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent'))), { timeout: LIVE_TIMEOUT_MS }).toEqual(['agent-b']);
    await page.getByRole('button', { name: 'Remove filter team:billing' }).click();
    await expect.poll(() => page.locator('.vrow[data-agent]').count(), { timeout: LIVE_TIMEOUT_MS }).toBe(2);

    // The operator kills agent-b from its row, after confirming with a reason; the reason stays text.
    const reason = 'runaway cost <img src=x onerror="window.__xss=1">';
    await page.getByRole('button', { name: 'Kill agent-b' }).click();
    await page.getByRole('button', { name: 'Kill agent', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Say why' }).count()).toBe(1);
    await page.getByLabel('Reason').fill(reason);
    await page.getByRole('button', { name: 'Kill agent', exact: true }).click();
    await expectStatus(page, 'agent-b', 'killed');
    await expect.poll(() => page.locator('.vrow[data-agent="agent-b"]').textContent(), { timeout: LIVE_TIMEOUT_MS }).toContain(`killed by dashboard: ${reason}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__xss === undefined')).toBe(true);
    expect(await statusShown(page, 'agent-b')).toBe('killed');
    const fleetShot = await screenshot(page, 'fleet.png');
    await page.setViewportSize({ width: 390, height: 844 });
    const narrowShot = await screenshot(page, 'fleet-narrow.png');
    await page.setViewportSize({ width: 1440, height: 900 });

    // Resume, confirmed in the same dialog, takes it back to what its beats justify.
    await page.getByRole('button', { name: 'Resume agent-b' }).click();
    await page.getByLabel('Reason').fill('cost fixed');
    await page.getByRole('button', { name: 'Resume agent', exact: true }).click();
    await expectStatus(page, 'agent-b', 'healthy');

    // The agent page: facts, timeline with reasons, history, and charts once a minute window has closed.
    await page.locator('.vrow[data-agent="agent-b"] a.agent-id').click();
    await page.locator('#agent-title', { hasText: 'agent-b' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(new URL(page.url()).pathname).toBe('/dashboard/agents/agent-b');
    await expect.poll(() => page.locator('[data-fact=deliverable]').textContent(), { timeout: LIVE_TIMEOUT_MS }).toBe('yes');
    await page.locator('#timeline li[data-to=killed]', { hasText: 'runaway cost' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.locator('#timeline li[data-to=healthy]', { hasText: 'cost fixed' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await expect.poll(() => page.locator('#history li').count(), { timeout: LIVE_TIMEOUT_MS }).toBeGreaterThan(0);
    // Metric windows are per minute: the first closes at the next minute boundary (the page asks every 15 s).
    await page.locator('.chart canvas').first().waitFor({ timeout: 100_000 });
    expect(await page.locator('.chart').evaluateAll((charts) => charts.map((c) => c.getAttribute('data-chart')))).toEqual(['Success rate', 'Latency', 'Cost per window']);
    expect(await page.locator('.chart canvas').count()).toBe(3);
    const agentShot = await screenshot(page, 'agent-page.png');
    console.info(`[test/browser] dashboard screenshots: ${fleetShot} ${narrowShot} ${agentShot}`);

    // Back to the fleet with the browser's own back button, still the same document.
    await page.goBack();
    await page.locator('.vrow[data-agent="agent-b"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('asks for a key when there is none, refuses a wrong one, and fits itself to the role of a pasted one (GET /v1/whoami)', async () => {
    requireChromium();
    vigil = await startVigilUp(upArgs(tempDir('vigil-dashboard-data-')));
    const url = vigil.url;
    browser = await openBrowser();
    const { page, pageErrors } = browser;
    const createKey = async (role: string, name: string): Promise<string> => {
      const created = await fetch(`${url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role, name }),
      });
      expect(created.status).toBe(201);
      return ((await created.json()) as { key: string }).key;
    };
    // One agent in the fleet, so that a page which may control it has a Kill button to show.
    const beat = await fetch(`${url}/v1/heartbeats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: 'role-agent', intervalSeconds: 3600 }),
    });
    expect(beat.status).toBe(202);
    const controls = page.getByRole('button', { name: /^(Kill|Resume) role-agent$/ });

    await page.goto(`${url}/dashboard`);
    await enterKey(page, 'not-the-key');
    await page.getByRole('alert').filter({ hasText: /wrong API key/i }).waitFor({ timeout: LIVE_TIMEOUT_MS });

    // An agent's key beats but may not watch the fleet, let alone kill: the page names the key and shows neither.
    await enterKey(page, await createKey('agent', 'browser-test agent'));
    await page
      .getByRole('alert')
      .filter({ hasText: 'This is an agent key ("browser-test agent", tenant default): it may only send heartbeats. The dashboard needs an operator or admin key.' })
      .waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.locator('.fleet').count()).toBe(0);
    expect(await controls.count()).toBe(0);
    expect(await page.locator('#identity').isHidden()).toBe(true);

    // An operator key watches and controls, and the header says whose key it is.
    await enterKey(page, await createKey('operator', 'browser-test operator'));
    await page.locator('#conn[data-state=live]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.locator('.vrow[data-agent="role-agent"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await controls.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.locator('#identity').textContent()).toBe('default · operator · browser-test operator');

    // So does the admin key, pasted after "Change key".
    await page.getByRole('button', { name: 'Change key' }).click();
    await enterKey(page, API_KEY);
    await page.locator('#conn[data-state=live]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.locator('.vrow[data-agent="role-agent"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await controls.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.locator('#identity').textContent()).toBe('default · admin · bootstrap admin (--api-key)');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('reconnects on its own when the server comes back, and stays live', async () => {
    requireChromium();
    const dataDir = tempDir('vigil-dashboard-data-');
    vigil = await startVigilUp(upArgs(dataDir));
    const port = Number(new URL(vigil.url).port);
    const beating = new Set(['agent-c']);
    beatFor(vigil.url, beating);
    browser = await openBrowser();
    const { page, pageErrors } = browser;
    await page.goto(`${vigil.url}/dashboard#key=${API_KEY}`);
    await page.locator('#conn[data-state=live]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await expectStatus(page, 'agent-c', 'healthy');
    await page.evaluate('window.__sameDocument = true');

    await vigil.stop();
    await page.locator('#conn[data-state=reconnecting]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.locator('#conn').textContent()).toMatch(/^Reconnecting in \d+ s$/);

    // Same data, same port: the page's next attempt finds it.
    vigil = await startVigilUp(upArgs(dataDir, port));
    await page.locator('#conn[data-state=live]').waitFor({ timeout: 45_000 });
    beating.add('agent-d');
    await expectStatus(page, 'agent-d', 'healthy');
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
