import type { OrgLevel, Permission, WorkItemState } from '../domain/permissions';

/** Response shapes of /api/v1, as the web reads them. */

export interface Page<T> {
  items: T[];
  total: number;
}

export interface SessionGrant {
  role: string;
  roleName: string;
  orgUnitId: string;
  orgUnitName: string;
  orgUnitPath: string;
}

export interface Session {
  user: { id: string; username: string; displayName: string };
  grants: SessionGrant[];
  permissions: Permission[];
}

export interface OrgUnit {
  id: string;
  parentId: string | null;
  name: string;
  level: OrgLevel;
  code: string | null;
  path: string;
  childCount: number;
  actions: { update: boolean; createChild: boolean };
}

export interface OrgUnitDetail extends OrgUnit {
  ancestors: { id: string; name: string; level: OrgLevel }[];
}

export interface UserGrant {
  role: string;
  roleName: string;
  orgUnitId: string;
  orgUnitName: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  active: boolean;
  grants: UserGrant[];
  createdAt: string;
  actions: { update: boolean; unmask: boolean };
}

export interface Role {
  code: string;
  name: string;
  nameEn: string;
  permissions: Permission[];
}

export interface PermissionInfo {
  code: Permission;
  name: string;
  nameEn: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  changes: unknown;
  ip: string | null;
}

export interface WorkItem {
  id: string;
  type: string;
  title: string;
  subjectEntity: string | null;
  subjectId: string | null;
  assigneeUserId: string | null;
  assigneeUserName: string | null;
  assigneeOrgUnitId: string | null;
  assigneeOrgUnitName: string | null;
  dueAt: string | null;
  state: WorkItemState;
  feedback: string | null;
  createdAt: string;
  actions: { feedback: boolean };
}

/** What GET /events sends in each message's data. */
export interface LiveEvent {
  type: string;
  entity: string;
  entityId: string;
  orgUnitId: string | null;
  at: string;
}
