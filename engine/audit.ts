import type { OcsfEvent } from '../ingest/normalize/types.js';
import { buildColumnBatch } from '../ingest/rows.js';
import type { GroupCommitter } from '../storage/index.js';

const PRODUCT = { name: 'TelHawk', vendor_name: 'TelHawk' };

export interface AuditLogin {
  username: string;
  success: boolean;
  sourceIp?: string;
  reason?: string;
}

export interface TokenChange {
  actor: string;
  action: 'create' | 'disable' | 'enable' | 'delete';
  tokenId: string;
  tokenName: string;
}

/** OCSF Entity Management activities; enabling and disabling are updates. */
const TOKEN_ACTIVITIES: Record<TokenChange['action'], { id: number; name: string }> = {
  create: { id: 1, name: 'Create' },
  disable: { id: 3, name: 'Update' },
  enable: { id: 3, name: 'Update' },
  delete: { id: 4, name: 'Delete' },
};

export interface UserChange {
  actor: string;
  action: 'create' | 'delete' | 'password' | 'reset';
  username: string;
  role?: string;
}

/** OCSF Account Change activities. */
const USER_ACTIVITIES: Record<UserChange['action'], { id: number; name: string; verb: string }> = {
  create: { id: 1, name: 'Create', verb: 'created' },
  delete: { id: 6, name: 'Delete', verb: 'deleted' },
  password: { id: 3, name: 'Password Change', verb: 'changed the password of' },
  reset: { id: 4, name: 'Password Reset', verb: 'reset the password of' },
};

export interface LookupChange {
  actor: string;
  /** `replace` is an upload under the name of an existing table. */
  action: 'create' | 'replace' | 'delete';
  lookupId: number;
  lookupName: string;
  columns: string[];
  rowCount: number;
}

/** OCSF Entity Management activities. Replacing a table is an update. */
const LOOKUP_ACTIVITIES: Record<
  LookupChange['action'],
  { id: number; name: string; verb: string }
> = {
  create: { id: 1, name: 'Create', verb: 'uploaded' },
  replace: { id: 3, name: 'Update', verb: 'replaced' },
  delete: { id: 4, name: 'Delete', verb: 'deleted' },
};

/** Returns the fields that every successful OCSF Entity Management (3004) record has. */
function entityManagement(activity: { id: number; name: string }): OcsfEvent {
  return {
    class_uid: 3004,
    class_name: 'Entity Management',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: 300400 + activity.id,
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    time: Date.now(),
    metadata: { product: PRODUCT, version: '1.1.0' },
  };
}

/**
 * Writes security-relevant actions of the appliance itself into the event
 * store as OCSF events (sourcetype `telhawk:audit`, index `_audit`), so they
 * are searchable like any other data.
 */
export class AuditLog {
  constructor(private readonly committer: GroupCommitter) {}

  async login(entry: AuditLogin): Promise<void> {
    const now = Date.now();
    const statusId = entry.success ? 1 : 2;
    const event: OcsfEvent = {
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      severity_id: entry.success ? 1 : 3,
      severity: entry.success ? 'Informational' : 'Medium',
      status_id: statusId,
      status: entry.success ? 'Success' : 'Failure',
      time: now,
      message: entry.success
        ? `user ${entry.username} logged in to the TelHawk console`
        : `failed TelHawk console login for ${entry.username}: ${entry.reason ?? 'invalid credentials'}`,
      user: { name: entry.username },
      src_endpoint: entry.sourceIp ? { ip: entry.sourceIp } : undefined,
      service: { name: 'telhawk-console' },
      metadata: { product: PRODUCT, version: '1.1.0' },
    };
    await this.write(event);
  }

  /** Records a console logout as OCSF Authentication (3002), activity Logoff. */
  async logout(entry: { username: string; sourceIp?: string }): Promise<void> {
    const event: OcsfEvent = {
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: 2,
      activity_name: 'Logoff',
      type_uid: 300202,
      severity_id: 1,
      severity: 'Informational',
      status_id: 1,
      status: 'Success',
      time: Date.now(),
      message: `user ${entry.username} logged out of the TelHawk console`,
      user: { name: entry.username },
      src_endpoint: entry.sourceIp ? { ip: entry.sourceIp } : undefined,
      service: { name: 'telhawk-console' },
      metadata: { product: PRODUCT, version: '1.1.0' },
    };
    await this.write(event);
  }

  /** Records a HEC token change as OCSF Entity Management (3004). */
  async tokenChange(change: TokenChange): Promise<void> {
    const activity = TOKEN_ACTIVITIES[change.action];
    const event: OcsfEvent = {
      ...entityManagement(activity),
      message: `${change.actor} ${change.action}d HEC token ${change.tokenName}`,
      actor: { user: { name: change.actor } },
      entity: { type: 'HEC token', name: change.tokenName, uid: change.tokenId },
      comment: change.action,
    };
    await this.write(event);
  }

  /**
   * Records a lookup table upload, replacement or deletion as OCSF Entity Management (3004), with
   * the table's columns and row count (for a deletion, those of the deleted table).
   */
  async lookupChange(change: LookupChange): Promise<void> {
    const activity = LOOKUP_ACTIVITIES[change.action];
    const rows = `${change.rowCount} ${change.rowCount === 1 ? 'row' : 'rows'}`;
    const event: OcsfEvent = {
      ...entityManagement(activity),
      message: `${change.actor} ${activity.verb} lookup table ${change.lookupName} (${rows})`,
      actor: { user: { name: change.actor } },
      entity: {
        type: 'lookup table',
        name: change.lookupName,
        uid: String(change.lookupId),
        data: { columns: change.columns, row_count: change.rowCount },
      },
      comment: change.action,
    };
    await this.write(event);
  }

  /** Records a console user change as OCSF Account Change (3001). */
  async userChange(change: UserChange): Promise<void> {
    const activity = USER_ACTIVITIES[change.action];
    const event: OcsfEvent = {
      class_uid: 3001,
      class_name: 'Account Change',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: activity.id,
      activity_name: activity.name,
      type_uid: 300100 + activity.id,
      severity_id: 1,
      severity: 'Informational',
      status_id: 1,
      status: 'Success',
      time: Date.now(),
      message: `${change.actor} ${activity.verb} console user ${change.username}${change.role ? ` with role ${change.role}` : ''}`,
      actor: { user: { name: change.actor } },
      user: { name: change.username },
      metadata: { product: PRODUCT, version: '1.1.0' },
    };
    await this.write(event);
  }

  private async write(event: OcsfEvent): Promise<void> {
    const raw = JSON.stringify(event);
    const batch = buildColumnBatch([
      {
        ocsf: event,
        raw,
        meta: {
          host: 'telhawk',
          source: 'telhawk:audit',
          sourcetype: 'telhawk:audit',
          index: '_audit',
          tokenId: 'internal',
          receivedAt: event.time,
        },
      },
    ]);
    await this.committer.add(batch, []);
  }
}
