/**
 * The control plane of the local cloud's SageMaker emulator (its `/_emulator/*` routes at SAGEMAKER_EMULATOR_URL):
 * the knobs a test turns to shape what SageMaker does to the functions under test: latency, throttling and server
 * errors, injected faults, the behaviour where SageMaker's documentation is silent, held calls released one by one, the call counts and calls in flight, and the reset of
 * what a test left armed. These are the emulator's knobs, not SageMaker's API: the functions never see them.
 */
const emulatorUrl = () => {
  const url = process.env.SAGEMAKER_EMULATOR_URL;
  if (!url) throw new Error('SAGEMAKER_EMULATOR_URL is not set: the global setup starts the local cloud');
  return url;
};

export async function setEmulatorKnobs(knobs: { latencyMs?: number; throttleRate?: number; serverErrorRate?: number }) {
  const response = await fetch(`${emulatorUrl()}/_emulator/knobs`, { method: 'PUT', body: JSON.stringify(knobs) });
  if (response.status !== 204) throw new Error(`setting knobs failed: ${response.status}`);
}

/**
 * What the emulator does where SageMaker's documentation is silent (local/sagemaker/behaviour.ts): whether
 * UpdateWorkteam with an empty NotificationConfiguration removes the team's topic (the default) or keeps it.
 */
export async function setEmulatorBehaviour(behaviour: {
  emptyNotificationConfiguration?: 'removes-topic' | 'keeps-topic';
}) {
  const response = await fetch(`${emulatorUrl()}/_emulator/behaviour`, {
    method: 'PUT',
    body: JSON.stringify(behaviour),
  });
  if (response.status !== 204) throw new Error(`setting the behaviour failed: ${response.status}`);
}

export async function injectEmulatorFault(fault: {
  operation: string;
  errorType: string;
  message: string;
  count?: number;
}) {
  const response = await fetch(`${emulatorUrl()}/_emulator/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (response.status !== 204) throw new Error(`injecting a fault failed: ${response.status}`);
}

export async function emulatorCalls(): Promise<Record<string, number>> {
  return (await (await fetch(`${emulatorUrl()}/_emulator/calls`)).json()) as Record<string, number>;
}

export async function resetEmulatorCalls(): Promise<void> {
  await fetch(`${emulatorUrl()}/_emulator/calls`, { method: 'DELETE' });
}

/** The next `count` calls of `operation` wait in the emulator until released one by one, oldest first. */
export async function holdEmulatorCalls(operation: string, count = 1): Promise<void> {
  const response = await fetch(`${emulatorUrl()}/_emulator/holds`, {
    method: 'POST',
    body: JSON.stringify({ operation, count }),
  });
  if (response.status !== 204) throw new Error(`holding ${operation} failed: ${response.status}`);
}

/** What a test left armed in the emulator (faults not yet used, holds, calls still waiting) goes. */
export async function clearEmulatorFaultsAndHolds(): Promise<void> {
  for (const path of ['/_emulator/faults', '/_emulator/holds']) {
    const response = await fetch(`${emulatorUrl()}${path}`, { method: 'DELETE' });
    if (response.status !== 204) throw new Error(`clearing ${path} failed: ${response.status}`);
  }
}

export async function releaseEmulatorCall(operation: string): Promise<void> {
  const response = await fetch(`${emulatorUrl()}/_emulator/holds/release`, {
    method: 'POST',
    body: JSON.stringify({ operation }),
  });
  const { released } = (await response.json()) as { released: boolean };
  if (!released) throw new Error(`no call of ${operation} was waiting`);
}

/** Resolves once `count` calls of `operation` wait in the emulator (polls its control plane; fails after 10 s). */
export async function untilWaiting(operation: string, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const waiting = (await (await fetch(`${emulatorUrl()}/_emulator/holds`)).json()) as Record<string, number>;
    if ((waiting[operation] ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${count} call(s) of ${operation} never arrived at the emulator`);
}

export async function emulatorInFlight(): Promise<{ current: number; max: number }> {
  return (await (await fetch(`${emulatorUrl()}/_emulator/in-flight`)).json()) as { current: number; max: number };
}
