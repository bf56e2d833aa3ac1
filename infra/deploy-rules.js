/**
 * What this repository adds to the Serverless Framework's (osls v3) own deploy, as a plugin of serverless.yml:
 *
 * - A package, a deploy or a removal names its stage. serverless.yml's `stage: ${opt:stage, 'local'}` keeps the
 *   local stage for `serverless offline` and `serverless invoke local` (what `npm start` and the tests run), but
 *   a deploy that forgot `--stage` would ship the local stage's settings (a localhost token issuer, an operations
 *   topic in account 000000000000, DEBUG logs): those commands refuse, in one line, before anything is built.
 *
 * - A deploy picks up what a removed stack of its stage retained. The teams and audit tables are kept when the
 *   stack goes (DeletionPolicy Retain: the registry, and the audit's reports, which are evidence) under names
 *   fixed by stage; CloudFormation refuses to create a resource whose name exists, so the next deploy of the
 *   stage would fail. Every change set is created with ImportExistingResources: CloudFormation then adopts a
 *   resource of the template that has a static custom name, DeletionPolicy Retain and no stack of its own (the
 *   retained tables, nothing else here), and creates the others as usual. On a stack that already holds them it
 *   changes nothing. osls creates change sets (provider.deploymentMethod: changesets) but has no setting for it.
 */

/** The commands that reach AWS with the stage's settings; `deploy list` and `deploy function` included. */
const NEEDS_STAGE = new Set(['package', 'deploy', 'remove']);

class DeployRules {
  constructor(serverless, options) {
    this.serverless = serverless;
    // Read now: the AWS plugins write the resolved stage (`local` by default) into the same options later.
    this.stageGiven = Boolean(options.stage ?? options.s);
    this.hooks = {
      initialize: () => {
        this.requireStage();
        this.importRetainedResources();
      },
    };
  }

  requireStage() {
    const command = this.serverless.processedInput.commands[0];
    if (!NEEDS_STAGE.has(command) || this.stageGiven) return;
    throw new this.serverless.classes.Error(
      `"serverless ${command}" needs --stage <name> (e.g. --stage prod): without it, it would take the local stage's settings (a localhost token issuer, account 000000000000)`,
      'WORKTEAM_STAGE_REQUIRED',
    );
  }

  importRetainedResources() {
    const deploy = this.serverless.pluginManager.getPlugins().find((plugin) => plugin.constructor.name === 'AwsDeploy');
    if (!deploy || typeof deploy.getCreateChangeSetParams !== 'function') return;
    const createChangeSetParams = deploy.getCreateChangeSetParams;
    deploy.getCreateChangeSetParams = function withImport(...args) {
      return { ...createChangeSetParams.apply(this, args), ImportExistingResources: true };
    };
  }
}

module.exports = DeployRules;
