/**
 * `npm run bench -- <name>`: runs one benchmark (or all) and prints its result; the last line of each is a JSON
 * object with the measured rate, the baseline measured in the same run, and their ratio.
 */
const benches: Record<string, () => Promise<void>> = {
  detector: async () => (await import('./detector.bench.ts')).runDetectorBench(),
  kafka: async () => (await import('./kafka.bench.ts')).runKafkaBench(),
  ingest: async () => (await import('./ingest.bench.ts')).runIngestBench(),
  read: async () => (await import('./read.bench.ts')).runReadBench(),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = names.length === 0 ? ['detector'] : names;
for (const name of selected) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; choose one of: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
