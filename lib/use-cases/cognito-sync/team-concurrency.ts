/** How many teams a batch of the Cognito sync, or a page of the resync, reconciles at a time. */
export const TEAM_CONCURRENCY = 4;
