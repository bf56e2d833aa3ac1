/**
 * Imported first by a test file whose functions run with one target besides the hub that cannot be reached: the
 * account 333333333333 in eu-central-1, its role asked of an STS that refuses every connection (port 1 of the
 * loopback, where nothing listens). Jest gives each test file an environment of its own, so no other file sees it.
 */
export const UNREACHABLE = { account: '333333333333', region: 'eu-central-1' } as const;
export const UNREACHABLE_KEY = `${UNREACHABLE.account}/${UNREACHABLE.region}`;

process.env.TARGETS = JSON.stringify([
  {
    ...UNREACHABLE,
    roleArn: `arn:aws:iam::${UNREACHABLE.account}:role/workteam-automation/local/workteam-automation-target-local-${UNREACHABLE.region}`,
    externalId: 'unreachable-external-id',
  },
]);
process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:1';
