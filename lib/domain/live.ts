/** Work teams and workforces as SageMaker reports them, in the domain's camelCase model. */
import type { MemberDefinition, Tag, WorkerAccess } from './workteam';

export interface LiveWorkteam {
  name: string;
  arn: string;
  workforceArn?: string;
  description: string;
  memberDefinitions: MemberDefinition[];
  notificationTopicArn?: string;
  workerAccess?: WorkerAccess;
  subDomain?: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** Only filled where the caller asked for tags (one ListTags walk per team). */
  tags?: Tag[];
}

export interface LiveWorkforce {
  name: string;
  arn: string;
  subDomain?: string;
  cognito?: { userPool: string; clientId: string };
  oidc?: { clientId: string; issuer: string };
  sourceIpCidrs: string[];
  vpc?: { vpcId: string; securityGroupIds: string[]; subnets: string[]; vpcEndpointId?: string };
  status?: string;
  failureReason?: string;
  createdAt?: Date;
  updatedAt?: Date;
}
