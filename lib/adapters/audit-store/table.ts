/** The audit table as its three parts (runs, finding records, real-time claims) write to it. */
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface AuditTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Sends a conditional write: true when it was made, false when its condition did not hold. */
  conditionally(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean>;
}

export function auditTable(doc: DynamoDBDocumentClient, tableName: string): AuditTable {
  return {
    doc,
    tableName,
    async conditionally(command) {
      try {
        await doc.send(command as PutCommand);
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
