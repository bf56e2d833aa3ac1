import { mergeAddresses } from '../domain/email-addresses';
import type { WorkforceDirectory } from '../ports/teams';
import { GROUP_CONCURRENCY, mapBounded } from '../runtime/concurrency';

/**
 * The directory, listing each group once for the lifetime of this object (a batch of the Cognito sync, a page of
 * the resync, an audit run): teams sharing a group share its listing. Addresses are merged by the same rule as
 * the directory (mergeAddresses).
 */
export function listingEachGroupOnce(directory: WorkforceDirectory): WorkforceDirectory {
  const listings = new Map<string, Promise<{ emails: string[]; missingGroups: string[] }>>();
  return {
    ...directory,
    async emailsOfGroups(userPoolId, groups) {
      const results = await mapBounded([...new Set(groups)], GROUP_CONCURRENCY, (group) => {
        const key = JSON.stringify([userPoolId, group]);
        let listing = listings.get(key);
        if (!listing) {
          listing = directory.emailsOfGroups(userPoolId, [group]);
          listings.set(key, listing);
        }
        return listing;
      });
      return {
        emails: mergeAddresses(results.map((result) => result.emails)),
        missingGroups: results.flatMap((result) => result.missingGroups),
      };
    },
  };
}
