import { randomBytes } from 'node:crypto';
import type { EventLog, LogConsumer, LogRecord } from '@vigil/log';
import type { Logger } from 'pino';
import { ApiKeyRecord, type ApiKeyInfo, type ApiKeyStore, type CreatedApiKey } from './api-key-records.ts';
import { InMemoryApiKeyResolver, keyDigest, type ApiKeyIdentity, type ApiKeyResolver } from './api-keys.ts';
import { KeyNotFoundError, KeyNotRevocableError } from './errors.ts';
import type { Role } from './route-role.ts';

/** Options of the log-backed key registry. */
export interface LogApiKeyRegistryOptions {
  readonly log: EventLog;
  /** The compacted api-keys topic (`apiKeysTopic(prefix)`); created with one partition if missing. */
  readonly topic: string;
  readonly logger: Logger;
  /** Keys given at start (bootstrap admin key, VIGIL_API_KEYS), with their names: they authenticate but live only in memory. */
  readonly staticKeys?: InMemoryApiKeyResolver;
  /** How often last-used times go to the log, one record per key used since the last flush. Default 10 s. */
  readonly usedFlushMs?: number;
  /** Longest `start()` waits to read the topic to its end before it fails. Default 30 s. */
  readonly catchUpTimeoutMs?: number;
  /** Epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface StoredKey {
  readonly identity: ApiKeyIdentity;
  readonly createdAt: string;
  readonly digest: string;
}

/**
 * API keys kept on a compacted log topic (`<prefix>api-keys`), so both modes share one design: in embedded mode the
 * topic lives in `vigil.db`, in distributed mode on Kafka, and every ingest and query process folds the whole topic
 * into memory (a consumer in its own group that never commits, so each start re-reads the few records from the
 * beginning). A lookup is one SHA-256 and one Map get; a revocation reaches every process as fast as its consumer
 * sees a record (tens of ms embedded, ~100 ms on Kafka). Last-used times are batched: one record per key per flush.
 */
export class LogApiKeyRegistry implements ApiKeyResolver, ApiKeyStore {
  readonly #options: LogApiKeyRegistryOptions;
  readonly #now: () => number;
  readonly #byDigest = new Map<string, StoredKey>();
  readonly #byId = new Map<string, StoredKey>();
  readonly #revoked = new Set<string>();
  readonly #lastUsed = new Map<string, string>();
  #pendingUsed = new Map<string, number>();
  #consumer: LogConsumer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #position = 0;
  #caughtUp: (() => void) | null = null;
  #target = 0;

  constructor(options: LogApiKeyRegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the topic if missing, reads it to its end (so keys work from the first request), then follows it. */
  async start(): Promise<void> {
    const { log, topic } = this.#options;
    await log.ensureTopic(topic, { partitions: 1, compact: true });
    this.#target = await log.endOffset(topic, 0);
    const caughtUp = new Promise<void>((resolve) => {
      this.#caughtUp = resolve;
    });
    if (this.#position >= this.#target) this.#markCaughtUp();
    this.#consumer = log.consumer({
      groupId: `${topic}-reader-${randomBytes(8).toString('hex')}`,
      topic,
      fromBeginning: true,
      autoCommit: false,
    });
    await this.#consumer.start({ eachBatch: async (batch) => this.#applyRecords(batch.records) });
    const timeoutMs = this.#options.catchUpTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([caughtUp, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw new Error(`API keys: could not read ${topic} to its end (offset ${this.#target}) within ${timeoutMs} ms`);
    this.#timer = setInterval(() => void this.flushUsed(), this.#options.usedFlushMs ?? 10_000);
    this.#timer.unref();
  }

  /** Writes pending last-used times and stops following the topic. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.flushUsed();
    await this.#consumer?.stop();
    this.#consumer = null;
  }

  /** The identity of a key (static keys first), or null when unknown or revoked; notes the use for last-used. */
  resolve(key: string): ApiKeyIdentity | null {
    const digest = keyDigest(key);
    const identity = this.#options.staticKeys?.resolveDigest(digest) ?? this.#byDigest.get(digest)?.identity ?? null;
    if (identity !== null) this.#pendingUsed.set(identity.id, this.#now());
    return identity;
  }

  /** Creates a key; visible to this process at once and to the others as soon as they read the record. */
  async create(input: { tenant: string; role: Role; name?: string }): Promise<CreatedApiKey> {
    const key = `vgl_${randomBytes(24).toString('base64url')}`;
    const record = ApiKeyRecord.parse({
      type: 'api-key-created',
      id: `key_${randomBytes(6).toString('hex')}`,
      digest: keyDigest(key),
      tenant: input.tenant,
      role: input.role,
      name: input.name ?? `${input.role} key of ${input.tenant}`,
      createdAt: new Date(this.#now()).toISOString(),
    });
    if (record.type !== 'api-key-created') throw new Error('unreachable');
    await this.#options.log.append(this.#options.topic, [{ key: `key/${record.id}`, value: JSON.stringify(record) }]);
    this.#apply(record);
    return { id: record.id, key, tenant: record.tenant, role: record.role, name: record.name, createdAt: record.createdAt };
  }

  /** Keys that authenticate now, static ones first, then stored ones by creation. */
  list(filter: { tenant?: string } = {}): ApiKeyInfo[] {
    const statics: ApiKeyInfo[] = (this.#options.staticKeys?.list() ?? []).map((k) => ({
      id: k.id,
      name: k.name,
      tenant: k.tenant,
      role: k.role,
      createdAt: null,
      lastUsedAt: this.#lastUsedOf(k.id),
      static: true,
    }));
    const stored = [...this.#byId.values()].map((k) => this.#info(k));
    return [...statics, ...stored].filter((k) => filter.tenant === undefined || k.tenant === filter.tenant);
  }

  /** Revokes a stored key: removed from this process at once, from the others when they read the record. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const stored = this.#byId.get(id);
    if (stored === undefined) {
      if (this.#options.staticKeys?.list().some((k) => k.id === id)) throw new KeyNotRevocableError(id);
      throw new KeyNotFoundError(id);
    }
    const record = ApiKeyRecord.parse({ type: 'api-key-revoked', id, tenant: stored.identity.tenant, revokedAt: new Date(this.#now()).toISOString() });
    await this.#options.log.append(this.#options.topic, [{ key: `key/${id}`, value: JSON.stringify(record) }]);
    const info = this.#info(stored);
    this.#apply(record);
    return info;
  }

  /** Appends one last-used record per key used since the last flush; a failure keeps them for the next one. */
  async flushUsed(): Promise<void> {
    if (this.#pendingUsed.size === 0) return;
    const pending = this.#pendingUsed;
    this.#pendingUsed = new Map();
    const records = [...pending].map(([id, at]) => ({ id, at: new Date(at).toISOString() }));
    try {
      await this.#options.log.append(
        this.#options.topic,
        records.map((r) => ({ key: `used/${r.id}`, value: JSON.stringify({ type: 'api-key-used', ...r }) })),
      );
      for (const r of records) this.#noteUsed(r.id, r.at);
    } catch (err) {
      this.#options.logger.warn({ err, keys: records.length }, 'could not record API keys last used; will retry');
      for (const [id, at] of pending) if (!this.#pendingUsed.has(id)) this.#pendingUsed.set(id, at);
    }
  }

  #applyRecords(records: readonly LogRecord[]): void {
    for (const r of records) {
      const parsed = ApiKeyRecord.safeParse(safeJson(r.value));
      if (parsed.success) this.#apply(parsed.data);
      else this.#options.logger.warn({ topic: r.topic, offset: r.offset }, 'skipping an api-keys record that is not valid');
      this.#position = r.offset + 1;
    }
    if (this.#position >= this.#target) this.#markCaughtUp();
  }

  #apply(record: ApiKeyRecord): void {
    switch (record.type) {
      case 'api-key-created': {
        // A revocation applied here before the consumer reached the creation must not be undone by it.
        if (this.#revoked.has(record.id) || this.#byId.has(record.id)) return;
        const stored: StoredKey = {
          identity: Object.freeze({ id: record.id, tenant: record.tenant, role: record.role, name: record.name }),
          createdAt: record.createdAt,
          digest: record.digest,
        };
        this.#byId.set(record.id, stored);
        this.#byDigest.set(record.digest, stored);
        return;
      }
      case 'api-key-revoked': {
        this.#revoked.add(record.id);
        const stored = this.#byId.get(record.id);
        if (stored !== undefined) this.#byDigest.delete(stored.digest);
        this.#byId.delete(record.id);
        this.#lastUsed.delete(record.id);
        return;
      }
      case 'api-key-used':
        if (!this.#revoked.has(record.id)) this.#noteUsed(record.id, record.at);
    }
  }

  #noteUsed(id: string, at: string): void {
    const previous = this.#lastUsed.get(id);
    if (previous === undefined || previous < at) this.#lastUsed.set(id, at);
  }

  #lastUsedOf(id: string): string | null {
    const pending = this.#pendingUsed.get(id);
    const pendingIso = pending === undefined ? undefined : new Date(pending).toISOString();
    const stored = this.#lastUsed.get(id);
    if (pendingIso === undefined) return stored ?? null;
    return stored === undefined || stored < pendingIso ? pendingIso : stored;
  }

  #info(k: StoredKey): ApiKeyInfo {
    return { id: k.identity.id, name: k.identity.name, tenant: k.identity.tenant, role: k.identity.role, createdAt: k.createdAt, lastUsedAt: this.#lastUsedOf(k.identity.id), static: false };
  }

  #markCaughtUp(): void {
    this.#caughtUp?.();
    this.#caughtUp = null;
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
