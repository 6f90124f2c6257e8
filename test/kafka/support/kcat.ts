import { execFile, spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * Whether `kcat` (Debian package `kcat`, the outside Kafka client of these tests) is on PATH. Without it the suite
 * fails in CI (`CI=true`, where .ci/run installs it) and is skipped with a printed reason elsewhere.
 */
export function kcatAvailable(suite: string): boolean {
  if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0) return true;
  const fix = 'install it: apt-get update && apt-get install -y kcat';
  if (process.env.CI === 'true') {
    describe(suite, () => {
      it('has kcat to test with', () => {
        throw new Error(`CI=true but kcat is not on PATH; ${fix}`);
      });
    });
  } else {
    console.warn(`skipping "${suite}": kcat is not on PATH (${fix})`);
  }
  return false;
}

/** Runs kcat with `args`, writing `input` to its stdin; resolves with its stdout, rejects with its stderr. */
export function kcat(args: readonly string[], input = '', timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kcat ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
