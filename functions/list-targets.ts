/**
 * GET /targets — administrators see every account and region the system runs work teams in: the workforce of each
 * (`name`, `kind`: cognito | oidc) and whether it can be reached now (`status`: ok | unreachable, with the reason).
 */
import { buildWorkteamListings } from '#lib/composition/listings';
import { mustReach, targetsOf } from '#lib/composition/targets';
import { mustBeAdmin } from '#lib/domain/actor';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { listTargetsConfig, loadConfig } from '#lib/runtime/config';
import { byTarget } from '#lib/runtime/targets';
import { describeTargets } from '#lib/use-cases/targets';

const config = loadConfig(listTargetsConfig());
const { all } = targetsOf(config);
const listingsOf = byTarget((target) => buildWorkteamListings(config, target));

export const handler = httpRoute({ query: NoQuerySchema, path: NoPathSchema }, async ({ actor }) => {
  mustBeAdmin(actor, 'list targets');
  const targets = await describeTargets(
    all.map((target) => ({
      target,
      async workforces() {
        await mustReach(target, config);
        return (await listingsOf(target).listWorkforces({ maxItems: 1 })).items;
      },
    })),
  );
  return jsonResponse(200, { targets });
});
