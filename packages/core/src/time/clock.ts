/**
 * A source of the current time in epoch milliseconds. Pure code never asks the system for the
 * time; it takes `now` as an argument or reads an injected `Clock`, so tests and the simulator
 * drive time by hand.
 *
 * Production code passes {@link systemClock}; tests pass `ManualClock` from
 * `@headroom/core/testing`.
 */
export interface Clock {
  /** The current time, epoch milliseconds. */
  now(): number;
}
