/** Placeholder entry point replaced by the Kafka benchmark (issue 4); fails loudly rather than pretending. */
export async function runKafkaBench(): Promise<void> {
  console.error('the kafka benchmark is not built yet (issue 4)');
  process.exit(1);
}
