/**
 * Scheduled bounds: timezone-aware cron schedules that set capacity floors and ceilings per
 * region.
 */
export {
  SCHEDULED_BOUNDS_MAX_NOW_MS,
  SCHEDULED_BOUNDS_MIN_NOW_MS,
  ScheduleSchema,
  ScheduledBoundsConfigSchema,
  parseScheduledBoundsConfig,
  scheduledBounds,
} from './scheduled-bounds.js';
export type {
  ActiveSchedule,
  Schedule,
  ScheduledBounds,
  ScheduledBoundsConfig,
  ScheduledBoundsConfigInput,
  ScheduledBoundsQuery,
} from './scheduled-bounds.js';
