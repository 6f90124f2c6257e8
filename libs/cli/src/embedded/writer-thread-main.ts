/**
 * The writer thread of `vigil up`: the one SQLite writer of the platform. It owns the log's appends (group commit),
 * the detector, the projector (event store and read-model writes) and the notifier (its outbox), so that nothing they do — a window closing over
 * the whole fleet, a state snapshot, a big fold — runs on the HTTP thread, whose requests only read the file (WAL
 * readers never wait for the writer) and hand their appends over here. Started by `WriterThread` through
 * `bin/writer-thread.js`; see writer-thread-protocol.ts for the messages.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { AgentEvent, HeartbeatEvent } from '@vigil/contracts';
import { appendHeartbeats, heartbeatEventsOf, heartbeatRecordsOf, parseJsonText } from '@vigil/ingest';
import { MetricsRegistry } from '@vigil/http';
import { EmbeddedLog, type ProduceRecord } from '@vigil/log';
import { NotifierService, notifierGroupId } from '@vigil/notifier';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { SqliteWebhookStore } from '@vigil/webhooks';
import { pino } from 'pino';
import { registerDetectorGauges, registerProjectorGauges } from '../platform/service-gauges.ts';
import { createDetector, createProjector, platformConsumers } from '../platform/services.ts';
import { CachedLag } from './cached-lag.ts';
import { ConsumerLagGate } from './consumer-lag-gate.ts';
import { toThreadError, type AppendRequest, type AppendResult, type FromWriter, type ToWriter, type WriterThreadInit } from './writer-thread-protocol.ts';

if (parentPort === null) throw new Error('writer-thread-main runs as a worker thread (started by WriterThread)');
const port = parentPort;
const init = (workerData as { init: WriterThreadInit }).init;
const send = (message: FromWriter): void => port.postMessage(message);

const logger = pino({ level: init.logLevel }, pino.destination(2)).child({ thread: 'writer' });
const path = init.databaseFile;
/**
 * Least time between two reads of a partition by this thread's consumers while beats keep arriving (the log's default
 * is 5 ms): every batch of the detector, projector and notifier is a transaction with fixed costs, and this thread also
 * answers the appends, so fewer, larger batches leave it more time for them (measured under the ingest bench's load of
 * single beats, 5 alternating runs of each: CPU per beat −3 to −5 %, beats/s +4 %). A beat after a quiet spell (no
 * read for this long) is still read at once; under load the detector and the read model see a beat at most this much
 * later, far inside the second a transition has.
 */
const CONSUMER_LINGER_MS = 50;
/**
 * Most records in one batch (one transaction) of this thread's detector and projector (the services' default is 500).
 * Under batched load they run behind by up to MAX_UNREAD_RECORDS, and each transaction rewrites every read-model page
 * its beats touch: four times fewer transactions cost the thread 12 % less per beat (28–31 against 32–37 µs busy,
 * 4 alternating runs of each under the ingest bench's batches). A batch of 2,000 beats holds the appends up for
 * tens of ms at most.
 */
const CONSUMER_BATCH_SIZE = 2_000;
/**
 * Appends to agent-events wait while the detector or the projector has more than this many records of a partition
 * uncommitted (ConsumerLagGate). Above what one linger lets pile up at full speed (about 2,500 beats at 50,000/s) plus
 * a batch, so a consumer that keeps up never holds an append; within the log's tail (TAIL_RECORDS), so that the
 * events the ingest built are still beside their records when the consumers read them.
 */
const MAX_UNREAD_RECORDS = 8192;
/**
 * Records of each partition the log keeps in memory for this thread's consumers (TailCache): above how far behind
 * flow control lets them run (MAX_UNREAD_RECORDS) plus a batch, so that they never read a beat back from SQLite and
 * always get its event as built (`ProduceRecord.decoded`). With the log's default of 2,048, the projector,
 * 1,600–3,400 records behind under batches, read a quarter of the beats back from the file (2,000 rows a read), each
 * text to be looked up in the decode memo again: 40,500–40,700 against 34,400–36,000 beats/s (batches of 100 under
 * wrk, 3 alternating runs each).
 */
const TAIL_RECORDS = 16_384;
/** Longest an append waits for the consumers: after that they are stuck, not slow, and the ingest goes on without them. */
const MAX_HOLD_MS = 2_000;
/** How often held appends look at the consumers' lag again. */
const RECHECK_MS = 2;
/**
 * How long a reading of the lag under half of MAX_UNREAD_RECORDS is trusted (CachedLag): even at 50,000 beats/s the
 * consumers cannot fall more than 1,000 records further behind in this time, so nothing that should wait goes ahead,
 * and the lag is not read every RECHECK_MS while they keep up (one SQL statement each time, 2 µs a beat under single
 * beats). Readings near the bound are trusted for RECHECK_MS only.
 */
const RELAXED_RECHECK_MS = 20;

async function main(): Promise<void> {
  const log = new EmbeddedLog({ path, logger, consumerLingerMs: CONSUMER_LINGER_MS, tailRecords: TAIL_RECORDS });
  const store = new SqliteEventStore({ path, logger });
  const readModel = new SqliteReadModel({ path, logger, retention: init.retention });
  // This thread is the read model's one writer: the HTTP thread answers beats from a cache these changes keep current.
  readModel.onStatusChanges((changes) => send({ type: 'statuses', changes }));
  const detector = createDetector(log, init.topics, logger, init.topicPrefix, init.detector, CONSUMER_BATCH_SIZE);
  const projector = createProjector({ log, topics: init.topics, readModel, store }, logger, init.topicPrefix, CONSUMER_BATCH_SIZE);
  const webhooks = new SqliteWebhookStore({ path });
  // This thread's families, rendered into the HTTP thread's /metrics (MetricsRegistry.include there).
  const metrics = new MetricsRegistry();
  registerDetectorGauges(metrics, detector);
  registerProjectorGauges(metrics, projector);
  let notifier: NotifierService | null = null;

  // Answers of one group commit go back in one message: the commit resolves its appends in one loop, so a microtask
  // queued by the first answer runs after the others joined. Not setImmediate: the group commit itself runs from
  // setImmediate, so that would wait for the next turn of the loop, behind the consumers' batches due by then.
  let answers: AppendResult[] = [];
  const answer = (result: AppendResult): void => {
    if (answers.length === 0) queueMicrotask(() => {
      const results = answers;
      answers = [];
      send({ type: 'appended', results });
    });
    answers.push(result);
  };
  const failed = (id: number) => (err: unknown) => answer({ id, error: toThreadError(err) });
  // Appends to agent-events wait while this thread's consumers of it fall behind (ConsumerLagGate says why); in
  // arrival order, so a beat never lands after a tick that came after it.
  const consumers = platformConsumers(init.topicPrefix, init.topics);
  const lagged = [...consumers.detector, ...consumers.projector].filter((c) => c.topic === init.topics.agentEvents);
  const maxUnread = init.flowControl?.maxUnreadRecords ?? MAX_UNREAD_RECORDS;
  const lag = new CachedLag({
    read: () => {
      let most: number | null = null;
      for (const { group, topic } of lagged) {
        const behind = log.unreadRecords(group, topic);
        if (behind !== null && (most === null || behind > most)) most = behind;
      }
      return most;
    },
    maxUnread,
    recheckMs: RECHECK_MS,
    relaxedMs: RELAXED_RECHECK_MS,
  });
  const gate = new ConsumerLagGate({
    unread: () => lag.get(),
    maxUnread,
    maxHoldMs: init.flowControl?.maxHoldMs ?? MAX_HOLD_MS,
    recheckMs: RECHECK_MS,
    onOverdue: (heldMs, behind) => logger.warn({ heldMs, unread: behind }, 'the detector or projector is not keeping up with the ingest: appends no longer wait for them'),
  });
  const flow = metrics.gauge('vigil_ingest_flow_control', 'Appends to agent-events that waited for the detector and projector to catch up (held), went ahead of stuck ones (overdue), wait now (waiting)', ['counter']);
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(gate.stats())) flow.set({ counter: k }, v);
  });
  const submit = (topic: string, append: () => void): void => (topic === init.topics.agentEvents ? gate.submit(append) : append());
  const append = (request: AppendRequest): void => {
    const { id, topic } = request;
    if (request.kind === 'records') {
      submit(topic, () => log.append(topic, request.records).then((positions) => answer({ id, positions }), failed(id)));
      return;
    }
    if (request.kind === 'heartbeat-records') {
      // Built by the HTTP thread's heartbeat builder, whose JSON decodes to exactly what it built
      // (heartbeat-event.unit.spec.ts): JSON.parse gives this thread's consumers the decoded event without validating
      // it again (zod took most of a decode's time), appended beside each record (agentEventOfRecord).
      const { records } = request;
      submit(topic, () => {
        const decoded: ProduceRecord[] = new Array<ProduceRecord>(records.length);
        for (let i = 0; i < records.length; i++) {
          const { key, value } = records[i]!;
          decoded[i] = { key, value, decoded: JSON.parse(value) as AgentEvent };
        }
        log.append(topic, decoded).then((positions) => answer({ id, positions }), failed(id));
      });
      return;
    }
    // A heartbeat body, as the route received it: parsed, validated and built here (WriterThreadIntake says why); a
    // bad one is refused at once.
    let events: HeartbeatEvent[];
    try {
      events = heartbeatEventsOf(parseJsonText(request.text), { ...request.context, newId: randomUUID });
    } catch (err) {
      failed(id)(err);
      return;
    }
    // This thread's detector and projector read these records back within a batch or two: they get the events built
    // here beside them (agentEventOfRecord) instead of parsing and validating the same text again.
    const records = heartbeatRecordsOf(events, true);
    submit(topic, () => {
      appendHeartbeats(log, topic, events, records).then((accepted) => answer({ id, accepted }), failed(id));
    });
  };

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      gate.release();
      await notifier?.stop();
      await detector.stop(); // commits what it handled
      await projector.stop();
      await log.close(); // waits for the appends in flight
      await store.close();
      await readModel.close();
      await webhooks.close();
      send({ type: 'stopped' });
      port.close();
    })());

  port.on('message', (message: ToWriter) => {
    switch (message.type) {
      case 'append':
        for (const request of message.requests) append(request);
        break;
      case 'metrics':
        metrics.render().then(
          (text) => send({ type: 'metrics', id: message.id, text }),
          () => send({ type: 'metrics', id: message.id, text: '' }),
        );
        break;
      case 'start-notifier': {
        const started = new NotifierService({ log, topics: init.topics, store: webhooks, logger: logger.child({ module: 'notifier' }), metrics }, message.config, notifierGroupId(init.topicPrefix));
        notifier = started;
        started.start().then(
          () => send({ type: 'notifier-started', error: null }),
          (err: unknown) => send({ type: 'notifier-started', error: toThreadError(err) }),
        );
        break;
      }
      case 'stop':
        stop().catch((err: unknown) => {
          send({ type: 'failed', error: toThreadError(err) });
          port.close();
        });
        break;
    }
  });

  await detector.start();
  await projector.start();
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'the writer thread could not start');
  send({ type: 'failed', error: toThreadError(err) });
  port.close();
});
