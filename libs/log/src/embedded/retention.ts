import type Database from 'better-sqlite3';

/** A live consumer's lower bound on a partition: what retention must keep for it. */
export type LiveBound = (topic: string, partition: number) => number | null;

/** What one retention sweep did. */
export interface RetentionResult {
  /** Records deleted, by age or by compaction. */
  readonly deletedRecords: number;
}

interface RetainedTopicRow {
  topic: string;
  partitions: number;
  retention_ms: number | null;
  compact: number;
}

/** Most records one sweep transaction walks: the write lock is held for milliseconds, then other writers get a turn. */
export const RETENTION_CHUNK = 2_000;

/**
 * Applies retention (records older than `retentionMs`) and compaction (only the newest record per key) to every topic
 * that has them. Neither ever touches a record at or past the safe bound of its partition: the lowest committed offset
 * of every group that has committed anywhere on the topic (a group with no commit on this partition counts as 0), and
 * the position of every live consumer in this process. With no group and no live consumer, the bound is the end of
 * the partition, as on Kafka.
 *
 * Cost, and why: the file is shared by processes that append all the time (ingest, the detector's transactions), and
 * a sweep holds SQLite's single write lock. A sweep that walked every record of every partition (as it once did, to
 * test each record's age) held the lock for ~0.5 s per 200,000 records even when it deleted nothing, so on a day of
 * heartbeats it starved the other processes past their busy timeout (SQLITE_BUSY: failed appends and detector
 * transactions; found by test/crash). So:
 * - retention by age deletes from the head of the partition only, up to the first record that is still young (as
 *   Kafka drops whole segments from the head): its cost is the records it deletes, plus one;
 * - both walk at most RETENTION_CHUNK records per write transaction, and the safe bound is re-read in each.
 * Afterwards `PRAGMA incremental_vacuum` returns the freed pages to the file system (when the file was created with
 * auto_vacuum INCREMENTAL; otherwise SQLite reuses them for later appends), so the file does not grow without bound.
 */
export function enforceRetention(db: Database.Database, now: number, liveBound: LiveBound, incrementalVacuum: boolean): RetentionResult {
  const topics = db
    .prepare('SELECT topic, partitions, retention_ms, compact FROM log_topics WHERE retention_ms IS NOT NULL OR compact = 1')
    .all() as RetainedTopicRow[];
  if (topics.length === 0) return { deletedRecords: 0 };

  const committedBound = db.prepare(`
    SELECT MIN(COALESCE(c.next_offset, 0)) AS bound
    FROM (SELECT DISTINCT group_id FROM log_committed_offsets WHERE topic = @topic) AS g
    LEFT JOIN log_committed_offsets AS c ON c.group_id = g.group_id AND c.topic = @topic AND c.partition = @partition`);
  const endOffset = db.prepare('SELECT next_offset FROM log_partitions WHERE topic = ? AND partition = ?');
  const firstOffset = db.prepare('SELECT offset FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT 1');
  // The offset RETENTION_CHUNK records on from `from`: the end of one sweep step (walks the primary key, no more).
  const chunkEnd = db.prepare('SELECT offset FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT 1 OFFSET ?');
  const firstYoung = db.prepare(
    'SELECT offset FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ? AND timestamp >= ? ORDER BY offset LIMIT 1',
  );
  const deleteRange = db.prepare('DELETE FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ?');
  const deleteSuperseded = db.prepare(`
    DELETE FROM log_records AS r
    WHERE r.topic = @topic AND r.partition = @partition AND r.offset >= @from AND r.offset < @to AND r.compaction_key IS NOT NULL
      AND EXISTS (SELECT 1 FROM log_records AS n
                  WHERE n.topic = r.topic AND n.partition = r.partition AND n.compaction_key = r.compaction_key AND n.offset > r.offset)`);

  const safeBound = (t: RetainedTopicRow, partition: number): number => {
    const end = (endOffset.pluck().get(t.topic, partition) as number | undefined) ?? 0;
    const committed = committedBound.pluck().get({ topic: t.topic, partition }) as number | null;
    const live = liveBound(t.topic, partition);
    return Math.min(end, committed ?? end, live ?? end);
  };
  /** The window [from, to) of the next step, at most RETENTION_CHUNK records, below the bound; null when done. */
  const window = (t: RetainedTopicRow, partition: number, from: number): { from: number; to: number; last: boolean } | null => {
    const bound = safeBound(t, partition);
    const first = firstOffset.pluck().get(t.topic, partition, from) as number | undefined;
    if (first === undefined || first >= bound) return null;
    const chunk = chunkEnd.pluck().get(t.topic, partition, first, RETENTION_CHUNK) as number | undefined;
    const to = chunk === undefined ? bound : Math.min(chunk, bound);
    return { from: first, to, last: to === bound };
  };

  /** One step of age retention: deletes expired head records in the window; returns where to go on, or null. */
  const ageStep = db.transaction((t: RetainedTopicRow, partition: number, from: number): { deleted: number; next: number | null } => {
    const w = window(t, partition, from);
    if (w === null) return { deleted: 0, next: null };
    const young = firstYoung.pluck().get(t.topic, partition, w.from, w.to, now - t.retention_ms!) as number | undefined;
    const cut = young ?? w.to;
    const deleted = cut > w.from ? deleteRange.run(t.topic, partition, w.from, cut).changes : 0;
    return { deleted, next: young !== undefined || w.last ? null : cut };
  });
  /** One step of compaction over the window; returns where to go on, or null. */
  const compactStep = db.transaction((t: RetainedTopicRow, partition: number, from: number): { deleted: number; next: number | null } => {
    const w = window(t, partition, from);
    if (w === null) return { deleted: 0, next: null };
    const deleted = deleteSuperseded.run({ topic: t.topic, partition, from: w.from, to: w.to }).changes;
    return { deleted, next: w.last ? null : w.to };
  });

  let deletedRecords = 0;
  for (const t of topics) {
    for (let partition = 0; partition < t.partitions; partition++) {
      const steps = [...(t.retention_ms !== null ? [ageStep] : []), ...(t.compact === 1 ? [compactStep] : [])];
      for (const step of steps) {
        for (let from: number | null = 0; from !== null; ) {
          const result: { deleted: number; next: number | null } = step.immediate(t, partition, from);
          deletedRecords += result.deleted;
          from = result.next;
        }
      }
    }
  }
  if (deletedRecords > 0 && incrementalVacuum) db.pragma('incremental_vacuum');
  return { deletedRecords };
}
