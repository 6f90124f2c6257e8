const utf8 = new TextEncoder();

/**
 * Kafka's default partitioner for keyed records (murmur2 of the UTF-8 key, positive, modulo partitions), so that the
 * embedded log, kafkajs and Java producers put a key on the same partition. (kcat: `-X topic.partitioner=murmur2_random`.)
 */
export function partitionForKey(key: string, partitions: number): number {
  // One partition (embedded mode's default) holds every key: no hash (with its UTF-8 encoding, 0.7–1.8 µs of the
  // writer thread's CPU a beat in the ingest bench's profiles).
  if (partitions === 1) return 0;
  return (murmur2(utf8.encode(key)) & 0x7fffffff) % partitions;
}

/** Kafka's murmur2 (seed 0x9747b28c), over bytes. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length % 4;
  const last = length & ~3;
  if (rest === 3) h ^= (data[last + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[last + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[last]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
