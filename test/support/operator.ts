/**
 * A person with the AWS CLI and `.local/env` (the operator's key): not this system's functions. What such a person
 * does by hand, out of band, is what the audit, adoption and the real-time paths are tested against.
 */
import { SageMakerClient, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { OPERATOR_CREDENTIALS } from './events';

export const operator = new SageMakerClient({ credentials: OPERATOR_CREDENTIALS });
export const operatorSns = new SNSClient({ credentials: OPERATOR_CREDENTIALS });

/** Turns a team's SourceIp worker-access constraint on or off in SageMaker, as a person would. */
export async function setSourceIpByHand(team: string, sourceIp: 'Enabled' | 'Disabled'): Promise<void> {
  await operator.send(
    new UpdateWorkteamCommand({
      WorkteamName: team,
      WorkerAccessConfiguration: {
        S3Presign: { IamPolicyConstraints: { SourceIp: sourceIp, VpcSourceIp: 'Disabled' } },
      },
    }),
  );
}
