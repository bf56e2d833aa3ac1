import { isRecord } from './input';

/**
 * What the emulator does where no public source says what SageMaker does, so that a test can show this system's
 * answer to either outcome. Set on the control plane (`PUT /_emulator/behaviour`); reset() restores the defaults.
 */
export interface EmulatorBehaviour {
  /**
   * UpdateWorkteam with `NotificationConfiguration: {}` (how this system turns a team's notifications off):
   * `removes-topic` (the default) takes the team's topic away; `keeps-topic` leaves it, as SageMaker might. The API
   * model lets the structure be empty (its one member, NotificationTopicArn, is optional) but documents no removal,
   * and no public client sends an empty block (docs/api.md, "Turning notifications off").
   */
  emptyNotificationConfiguration: 'removes-topic' | 'keeps-topic';
}

export const DEFAULT_BEHAVIOUR: Readonly<EmulatorBehaviour> = { emptyNotificationConfiguration: 'removes-topic' };

const CHOICES: { [K in keyof EmulatorBehaviour]: readonly EmulatorBehaviour[K][] } = {
  emptyNotificationConfiguration: ['removes-topic', 'keeps-topic'],
};

/** Validates a partial behaviour (from code or from the control plane); throws a RangeError when invalid. */
export function parseBehaviour(value: unknown): Partial<EmulatorBehaviour> {
  if (!isRecord(value)) throw new RangeError('a behaviour must be a JSON object');
  const behaviour: Partial<EmulatorBehaviour> = {};
  for (const [key, choice] of Object.entries(value)) {
    if (!Object.hasOwn(CHOICES, key)) throw new RangeError(`unknown behaviour '${key}'`);
    const choices = CHOICES[key as keyof EmulatorBehaviour];
    if (!choices.includes(choice as never)) {
      throw new RangeError(`behaviour '${key}' must be one of ${choices.join(', ')}`);
    }
    behaviour[key as keyof EmulatorBehaviour] = choice as never;
  }
  return behaviour;
}
