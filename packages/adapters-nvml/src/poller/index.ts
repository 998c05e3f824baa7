// The metric poller: many metric sources polled on their own jittered schedules, with deadlines,
// backoff and staleness, served as one source whose load counters are peaks since the last read.
export { createMetricPoller } from './poller.js';
export type { MetricPoller, SourceStatus } from './poller.js';
export type { MetricPollerOptions, PollerBackoffOptions } from './options.js';
