/** The targets of this worker's local cloud as the functions configure them (its environment). */
import { targetsOf } from '#lib/composition/targets';
import { loadConfig, targetsConfigSchema } from '#lib/runtime/config';
import type { ConfiguredTarget } from '#lib/runtime/targets';

/** The hub: what the functions' clients for their own account and region are kept under. */
export function hubTarget(): ConfiguredTarget {
  return targetsOf(loadConfig(targetsConfigSchema())).hub;
}
