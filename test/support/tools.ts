/** Foreign tools some tests need (.ci/run installs them): a test without one says so and skips. */
import { spawnSync } from 'node:child_process';

export const haveTshark = spawnSync('tshark', ['--version']).status === 0;
