/**
 * `@headroom/scaling`: scaling decisions for GPU inference fleets, as pure functions.
 *
 * - {@link hpaStep}: exactly what the Kubernetes HPA controller (1.33+) would decide, for
 *   predicting and comparing before you migrate.
 *
 * @packageDocumentation
 */

export * from './hpa/index.js';
