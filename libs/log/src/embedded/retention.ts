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

/**
 * Applies retention (records older than `retentionMs`) and compaction (only the newest record per key) to every topic
 * that has them. Neither ever touches a record at or past the safe bound of its partition: the lowest committed offset
 * of every group that has committed anywhere on the topic (a group with no commit on this partition counts as 0), and
 * the position of every live consumer in this process. With no group and no live consumer, the bound is the end of
 * the partition, as on Kafka. Each partition is swept in its own short write transaction, so writers in other
 * processes wait for milliseconds, not for the whole sweep. Afterwards `PRAGMA incremental_vacuum` returns the freed
 * pages to the file system (when the file was created with auto_vacuum INCREMENTAL; otherwise SQLite reuses them for
 * later appends), so the file does not grow without bound.
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
  const deleteOld = db.prepare('DELETE FROM log_records WHERE topic = ? AND partition = ? AND offset < ? AND timestamp < ?');
  const deleteSuperseded = db.prepare(`
    DELETE FROM log_records AS r
    WHERE r.topic = @topic AND r.partition = @partition AND r.offset < @bound AND r.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM log_records AS n
                  WHERE n.topic = r.topic AND n.partition = r.partition AND n.key = r.key AND n.offset > r.offset)`);

  let deletedRecords = 0;
  const sweepPartition = db.transaction((t: RetainedTopicRow, partition: number) => {
    const end = (endOffset.pluck().get(t.topic, partition) as number | undefined) ?? 0;
    const committed = committedBound.pluck().get({ topic: t.topic, partition }) as number | null;
    const live = liveBound(t.topic, partition);
    const bound = Math.min(end, committed ?? end, live ?? end);
    if (bound <= 0) return;
    if (t.retention_ms !== null) {
      deletedRecords += deleteOld.run(t.topic, partition, bound, now - t.retention_ms).changes;
    }
    if (t.compact === 1) {
      deletedRecords += deleteSuperseded.run({ topic: t.topic, partition, bound }).changes;
    }
  });
  for (const t of topics) {
    for (let partition = 0; partition < t.partitions; partition++) sweepPartition.immediate(t, partition);
  }
  if (deletedRecords > 0 && incrementalVacuum) db.pragma('incremental_vacuum');
  return { deletedRecords };
}
