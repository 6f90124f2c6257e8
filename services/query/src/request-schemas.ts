import { AgentId, AgentStatus, AgentKilledEvent, AgentResumedEvent, AgentForgottenEvent, MAX_FORGET_AFTER_MS } from '@vigil/contracts';
import { DurationInput, QueryCursor, QueryTime, ThresholdDurationInput, queryBool, queryInt } from '@vigil/http';
import { z } from 'zod';

/** Largest page of any list endpoint. */
export const MAX_PAGE_SIZE = 500;
/** Page size when `limit` is absent. */
export const DEFAULT_PAGE_SIZE = 100;
/** Most metric windows in one answer (a day of minutes). */
export const MAX_METRIC_POINTS = 1440;
/** Metric windows when `limit` is absent (an hour of minutes). */
export const DEFAULT_METRIC_POINTS = 60;
/** `by` of a kill or resume that does not say who did it. */
export const DEFAULT_ACTOR = 'api-key';

/** `:id` of the agent routes. */
export const AgentParams = z.strictObject({ id: AgentId });

/** One `key:value` label filter; the value may itself hold colons. */
const LabelFilter = z
  .string()
  .regex(/^[^:]+:/, 'must be key:value')
  .transform((s) => {
    const colon = s.indexOf(':');
    return { key: s.slice(0, colon), value: s.slice(colon + 1) };
  });

/** Most `label=` filters on one list request. */
export const MAX_LABEL_FILTERS = 16;

/**
 * `GET /v1/agents` query. Unknown parameters are rejected so that a typo (`stauts=`) is not silently ignored.
 * `label` may be repeated (`?label=team:a&label=zone:b`, as the CLI and SDK send it): every one must match.
 */
export const ListAgentsQuery = z.strictObject({
  status: AgentStatus.optional(),
  deliverable: queryBool().optional(),
  flapping: queryBool().optional(),
  label: z
    .union([LabelFilter.transform((l) => [l]), z.array(LabelFilter).max(MAX_LABEL_FILTERS, `at most ${MAX_LABEL_FILTERS} label filters`)])
    .optional(),
  q: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  sort: z.enum(['id', 'severity', 'lastSeen'], { message: 'must be id, severity or lastSeen' }).optional(),
  limit: queryInt(1, MAX_PAGE_SIZE).optional(),
  cursor: QueryCursor.optional(),
});

/** Query of the transition lists. */
export const PageQuery = z.strictObject({
  limit: queryInt(1, MAX_PAGE_SIZE).optional(),
  cursor: QueryCursor.optional(),
});

/** `GET /v1/agents/:id/metrics` query; `from` must be before `to`. */
export const MetricsQuery = z
  .strictObject({
    resolution: z.enum(['1m', '1h'], { message: 'must be 1m or 1h' }).optional(),
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    limit: queryInt(1, MAX_METRIC_POINTS).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
    }
  });

/** `POST /v1/agents/:id/kill` body: why (required, shown in the transition) and who (default `api-key`). */
export const KillBody = z.strictObject({
  reason: AgentKilledEvent.shape.data.shape.reason.min(1, 'must not be empty'),
  by: AgentKilledEvent.shape.data.shape.by.optional(),
});

/** `POST /v1/agents/:id/resume` body (optional). */
export const ResumeBody = z.strictObject({
  reason: AgentResumedEvent.shape.data.shape.reason,
  by: AgentResumedEvent.shape.data.shape.by.optional(),
});

const Threshold = ThresholdDurationInput.nullable().optional();

/**
 * `PUT …/thresholds` body: each a duration (`"90s"`, `"2m"`, `"500ms"`, `"1h"`, or ms) or null to clear the
 * override. At least one; `degradedAfter` must be less than `unreachableAfter` when both are set.
 */
export const ThresholdsBody = z
  .strictObject({ degradedAfter: Threshold, unreachableAfter: Threshold, stalledAfter: Threshold })
  .superRefine((b, ctx) => {
    if (b.degradedAfter === undefined && b.unreachableAfter === undefined && b.stalledAfter === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give at least one of degradedAfter, unreachableAfter, stalledAfter' });
    }
    if (typeof b.degradedAfter === 'number' && typeof b.unreachableAfter === 'number' && b.degradedAfter >= b.unreachableAfter) {
      ctx.addIssue({
        code: 'custom',
        path: ['degradedAfter'],
        message: `must be less than unreachableAfter (${b.degradedAfter} ms >= ${b.unreachableAfter} ms); lower degradedAfter or raise unreachableAfter`,
      });
    }
  });
/** Parsed thresholds body (ms, or null to clear). */
export type ThresholdsBody = z.output<typeof ThresholdsBody>;

/** `DELETE /v1/agents/:id` body (optional): why, and who (default `api-key`). */
export const ForgetBody = z.strictObject({
  reason: AgentForgottenEvent.shape.data.shape.reason.optional(),
  by: AgentForgottenEvent.shape.data.shape.by.optional(),
});

/**
 * `PUT /v1/retention` body: `forgetAfter`, a duration (`"7d"`, `"36h"`, or ms) of at least a minute and at most ten
 * years, or null for the platform default.
 */
export const RetentionBody = z.strictObject({
  forgetAfter: DurationInput.pipe(
    z
      .number()
      .int()
      .min(60_000, 'must be at least 1m (agents are forgotten after staying stopped or unreachable this long)')
      .max(MAX_FORGET_AFTER_MS, 'must be at most 3650d'),
  ).nullable(),
});
