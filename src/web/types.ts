import type { DocumentType } from '../domain/id-number';
import type { OrgLevel, Permission, WorkItemDetails, WorkItemState } from '../domain/permissions';
import type { ResidenceStatus, StatusKind } from '../domain/residents';

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
  parentName: string | null;
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
  /** updateAccount: name, password, phone and activity (every grant of the user in reach). */
  actions: { update: boolean; updateAccount: boolean; unmask: boolean };
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
  /** What the record is, read now (a person's name, a tube's code…); null if gone or out of scope. */
  entityName: string | null;
  changes: unknown;
  ip: string | null;
}

export interface WorkItem {
  id: string;
  type: string;
  title: string;
  /** A system item's particulars: its title in the reader's language (`workItemTitle`). */
  details: WorkItemDetails | null;
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
  /** call: its assignee may see the phone of the person it is about (a recall, a re-swab, a positive). */
  actions: { feedback: boolean; cancel: boolean; call: boolean };
}

/** What GET /events sends in each message's data. */
export interface LiveEvent {
  type: string;
  entity: string;
  entityId: string;
  orgUnitId: string | null;
  at: string;
}

export interface Health {
  status: 'ok';
  /** The data is the generated demo district: every page with people on it says so. */
  demo: boolean;
}

/** A dated fact about a person, as checked: a health-code colour, a test result, a control state. */
export interface PersonStatus {
  kind: StatusKind;
  value: string;
  observedAt: string;
  validUntil: string | null;
  source: string;
  recordedByName: string | null;
}

export interface ResidentKeyGroup {
  code: string;
  name: string;
  source: string;
  since: string;
}

/** ID number and phone arrive masked; `POST /residents/:id/unmask` gives them in full. */
export interface Resident {
  id: string;
  name: string;
  documentType: DocumentType;
  idNumber: string;
  phone: string | null;
  /** Null in lists and details: only the unmask answer gives it (it is part of the ID number). */
  birthDate: string | null;
  age: number | null;
  sex: 'male' | 'female' | null;
  gridId: string;
  gridName: string;
  householdId: string | null;
  address: string;
  residenceStatus: ResidenceStatus;
  keyGroups: ResidentKeyGroup[];
  statuses: Partial<Record<StatusKind, PersonStatus>>;
  synthetic: boolean;
  createdAt: string;
  updatedAt: string;
  actions: { update: boolean; unmask: boolean; merge: boolean };
}

export interface ResidentDetail extends Resident {
  household: {
    id: string;
    address: string;
    members: { id: string; name: string; residenceStatus: ResidenceStatus }[];
  } | null;
  statusHistory: PersonStatus[];
}

export interface ResidentCounts {
  total: number;
  byResidenceStatus: Partial<Record<ResidenceStatus, number>>;
  byKeyGroup: Record<string, number>;
}

export interface Household {
  id: string;
  gridId: string;
  gridName: string;
  address: string;
  memberCount: number;
}

/** A key-group class (重点人群); dates are days, `YYYY-MM-DD`. */
export interface KeyGroup {
  code: string;
  name: string;
  testingFrequency: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  active: boolean;
}

/** What an import found; `imported` is 0 on a check (dry run), and the count written once confirmed. */
export interface ImportReport {
  total: number;
  valid: number;
  imported: number;
  errors: { row: number; column: string; message: string }[];
}
