import { batchingGrid, formatValidationTable, measureBatchingServiceTime } from './src/validation/index.js';
const t0 = process.hrtime.bigint();
console.log(measureBatchingServiceTime(16, 1));
const g = batchingGrid(16);
console.log(formatValidationTable(g));
console.log('s', Number(process.hrtime.bigint() - t0) / 1e9);
