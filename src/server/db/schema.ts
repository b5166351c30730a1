import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { WorkItemDetails } from '../../domain/permissions.ts';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/**
 * The org tree. `path` is a materialized path of stable serial segments (`411600.1.2a`), so a
 * grant on a node covers `path = p OR path LIKE p || '.%'` with one index range scan; renaming or
 * recoding a node never rewrites its subtree.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    id: uuid('id').primaryKey(),
    serial: bigserial('serial', { mode: 'number' }).notNull(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    level: text('level').notNull(),
    code: text('code'),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    districtCode: text('district_code').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('org_units_path_key').on(t.path),
    index('org_units_path_pattern_idx').using('btree', t.path.op('text_pattern_ops')),
    index('org_units_parent_idx').on(t.parentId),
    uniqueIndex('org_units_sibling_name_key').on(t.parentId, t.name),
  ],
);

export const roles = pgTable('roles', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  createdAt: createdAt(),
});

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleCode: text('role_code')
      .notNull()
      .references(() => roles.code, { onDelete: 'cascade' }),
    permission: text('permission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roleCode, t.permission] })],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** Sensitive: AES-256-GCM ciphertext, with an HMAC beside it for exact lookup. */
    phoneEnc: text('phone_enc'),
    phoneHash: text('phone_hash'),
    active: boolean('active').notNull().default(true),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
    index('users_phone_hash_idx').on(t.phoneHash),
  ],
);

export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleCode: text('role_code')
      .notNull()
      .references(() => roles.code),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('role_grants_key').on(t.userId, t.roleCode, t.orgUnitId),
    index('role_grants_org_idx').on(t.orgUnitId),
  ],
);

/** Server-side sessions, so several app servers can share one database. Only the token's hash is stored. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Lookups by a whole ID or phone number (`number`), and ID numbers tried per masked form
 * (`guess`, `mask` being the keyed hash of the masked form), per user and recently: kept in the
 * database so the limits on them hold across app servers and restarts. Only keyed hashes.
 */
export const lookupMarks = pgTable(
  'lookup_marks',
  {
    userId: uuid('user_id').notNull(),
    kind: text('kind').notNull(),
    mask: text('mask').notNull().default(''),
    hash: text('hash').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.mask, t.hash] })],
);

/** Failed logins, kept in the database so the lockout holds across app servers. */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    username: text('username').notNull(),
    ip: text('ip').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('login_failures_username_idx').on(t.username, t.at),
    index('login_failures_ip_idx').on(t.ip, t.at),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    /** Org path of the record, so the audit log is scoped like the records themselves. */
    orgPath: text('org_path'),
    changes: jsonb('changes'),
    ip: text('ip'),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_entity_idx').on(t.entity, t.entityId),
    index('audit_events_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
  ],
);

/** One task mechanism for every "someone must do something by a time". */
export const workItems = pgTable(
  'work_items',
  {
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    /** What a system item is about (name, address, tube…), so its title is said in the reader's language. */
    details: jsonb('details').$type<WorkItemDetails>(),
    subjectEntity: text('subject_entity'),
    subjectId: text('subject_id'),
    assigneeUserId: uuid('assignee_user_id').references(() => users.id),
    assigneeOrgUnitId: uuid('assignee_org_unit_id').references(() => orgUnits.id),
    /** Where the item lives in the tree: decides who may see it. */
    orgPath: text('org_path').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    state: text('state').notNull().default('open'),
    feedback: text('feedback'),
    doneAt: timestamp('done_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('work_items_assignee_user_idx').on(t.assigneeUserId, t.state),
    index('work_items_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('work_items_due_idx').on(t.state, t.dueAt),
    // Work about a record (a household's 核实搬离, a person's recheck) is found by its subject when
    // the record changes: a city round's rechecks alone run to a hundred thousand rows.
    index('work_items_subject_idx').on(t.subjectEntity, t.subjectId),
  ],
);

/** Database-backed job queue: claimed with FOR UPDATE SKIP LOCKED, so app servers can share it. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    /** A recurring job keeps one queued row per key. */
    singletonKey: text('singleton_key'),
    payload: jsonb('payload'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    state: text('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_due_idx').on(t.state, t.runAt),
    uniqueIndex('jobs_singleton_key').on(t.singletonKey).where(sql`state in ('queued', 'running')`),
  ],
);

/** First answer to each field client's write, so a retry with the same client id never writes twice. */
export const clientWrites = pgTable('client_writes', {
  clientId: uuid('client_id').primaryKey(),
  actorId: uuid('actor_id'),
  action: text('action').notNull(),
  // Null only inside the claiming transaction, before the first answer is known.
  response: jsonb('response'),
  createdAt: createdAt(),
});

/** A household lives at one address in one grid (or building); moving it moves its members. */
export const households = pgTable(
  'households',
  {
    id: uuid('id').primaryKey(),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text('org_path').notNull(),
    address: text('address').notNull(),
    /** The address in walking order (addressSortKey), written with it. */
    addressKey: text('address_key').notNull(),
    districtCode: text('district_code').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('households_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

/**
 * The single master of persons. ID and phone are sealed (AES-256-GCM) with an HMAC beside them for
 * exact lookup and dedup, and their last four digits kept in clear for the field's usual search
 * ("尾号1234"). Names carry full pinyin and initials, computed at write time, for search.
 */
export const persons = pgTable(
  'persons',
  {
    id: uuid('id').primaryKey(),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text('org_path').notNull(),
    householdId: uuid('household_id').references(() => households.id),
    name: text('name').notNull(),
    namePinyin: text('name_pinyin').notNull(),
    nameInitials: text('name_initials').notNull(),
    documentType: text('document_type').notNull().default('id_card'),
    idEnc: text('id_enc').notNull(),
    idHash: text('id_hash').notNull(),
    idLast4: text('id_last4').notNull(),
    /**
     * The year only, for ages and sorting: a full birth date beside a masked ID number (region
     * and last four) was the number in clear. The date is read from the sealed number when needed.
     */
    birthYear: smallint('birth_year'),
    sex: text('sex'),
    phoneEnc: text('phone_enc'),
    phoneHash: text('phone_hash'),
    phoneLast4: text('phone_last4'),
    address: text('address').notNull(),
    /** The address in walking order (addressSortKey), written with it. */
    addressKey: text('address_key').notNull(),
    residenceStatus: text('residence_status').notNull(),
    /** Generated demo data says so on screen. */
    synthetic: boolean('synthetic').notNull().default(false),
    /** Set when merged into another record: the survivor. Merged records are never listed. */
    mergedInto: uuid('merged_into'),
    /** Raised to renew a person's code (核酸码): codes of an earlier version are refused. */
    codeVersion: integer('code_version').notNull().default(0),
    districtCode: text('district_code').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('persons_id_hash_key').on(t.idHash).where(sql`merged_into is null`),
    index('persons_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('persons_name_idx').using('btree', t.name.op('text_pattern_ops')),
    index('persons_pinyin_idx').using('btree', t.namePinyin.op('text_pattern_ops')),
    index('persons_initials_idx').using('btree', t.nameInitials.op('text_pattern_ops')),
    index('persons_id_last4_idx').on(t.idLast4),
    index('persons_phone_last4_idx').on(t.phoneLast4),
    index('persons_phone_hash_idx').on(t.phoneHash),
    index('persons_household_idx').on(t.householdId),
    // Due people per grid for a round's coverage, read from the index alone (a million people in ~0.3 s).
    index('persons_coverage_idx').on(t.orgPath, t.residenceStatus).where(sql`merged_into is null`),
  ],
);

/** Key-group classes (重点人群): an effective-dated taxonomy, each with an optional testing frequency. */
export const keyGroupClasses = pgTable('key_group_classes', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  testingFrequency: text('testing_frequency'),
  effectiveFrom: date('effective_from').notNull(),
  effectiveTo: date('effective_to'),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const personKeyGroups = pgTable(
  'person_key_groups',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    classCode: text('class_code')
      .notNull()
      .references(() => keyGroupClasses.code),
    source: text('source').notNull(),
    since: date('since').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.personId, t.classCode] }),
    index('person_key_groups_class_idx').on(t.classCode),
  ],
);

/** Dated facts about a person with their source and validity; the current value is the latest per kind. */
export const personStatuses = pgTable(
  'person_statuses',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }),
    source: text('source').notNull(),
    recordedBy: uuid('recorded_by'),
    districtCode: text('district_code').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('person_statuses_person_idx').on(t.personId, t.kind, t.observedAt)],
);

/**
 * Permission codes already handed to the default roles. A release that adds a permission grants
 * it to its default roles once; an administrator's later removal stays removed.
 */
export const permissionSeeds = pgTable('permission_seeds', {
  permission: text('permission').primaryKey(),
  seededAt: timestamp('seeded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A mass-testing round (第N轮) over an org subtree and its days. `modeRules` chooses the sampling
 * mode per person (quarantined and listed key groups single-tube); the rest take `defaultMode`.
 */
export const testRounds = pgTable(
  'test_rounds',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text('org_path').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    defaultMode: text('default_mode').notNull(),
    singleTubeKeyGroups: text('single_tube_key_groups').array().notNull().default(sql`'{}'`),
    districtCode: text('district_code').notNull(),
    createdBy: uuid('created_by'),
    /** Called off before anything was sampled (a round set up by mistake, or overtaken): kept, inert. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('test_rounds_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

/** A collection point (采样点) of a round, with its place, hours and team; door-to-door teams are points too. */
export const collectionPoints = pgTable(
  'collection_points',
  {
    id: uuid('id').primaryKey(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => testRounds.id),
    name: text('name').notNull(),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text('org_path').notNull(),
    place: text('place'),
    hours: text('hours'),
    kind: text('kind').notNull().default('fixed'),
    samplerUserIds: uuid('sampler_user_ids').array().notNull().default(sql`'{}'`),
    districtCode: text('district_code').notNull(),
    /** 撤点: closed, it takes no more scans; its tubes are still sealed and handed over. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('collection_points_round_idx').on(t.roundId),
    uniqueIndex('collection_points_name_key').on(t.roundId, t.name),
  ],
);

/**
 * A testing lab (检测机构: the CDC's lab, a hospital's, a contracted third party), kept by the
 * command centre. It serves the subtree of its org unit: tubes sampled there can be handed to it.
 * Its team are the lab accounts that work for it: they receive and enter results only for tubes
 * handed to it (or handed to no lab yet, which their receipt or result then assigns to it).
 */
export const labs = pgTable(
  'labs',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    orgUnitId: uuid('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text('org_path').notNull(),
    memberUserIds: uuid('member_user_ids').array().notNull().default(sql`'{}'`),
    active: boolean('active').notNull().default(true),
    districtCode: text('district_code').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('labs_name_key').on(t.districtCode, t.name),
    index('labs_members_idx').using('gin', t.memberUserIds),
  ],
);

/** A hand-over of sealed tubes to a lab (送检批次). */
export const labHandovers = pgTable('lab_handovers', {
  id: uuid('id').primaryKey(),
  roundId: uuid('round_id')
    .notNull()
    .references(() => testRounds.id),
  labId: uuid('lab_id').references(() => labs.id),
  /** The lab's name when handed over (a hand-over slip keeps the name it was written with). */
  labName: text('lab_name').notNull(),
  tubeCount: integer('tube_count').notNull(),
  orgPath: text('org_path').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
});

/** One imported (or entered) result file: the tubes it set point back to it. */
export const labResultImports = pgTable('lab_result_imports', {
  id: uuid('id').primaryKey(),
  fileName: text('file_name').notNull(),
  rowCount: integer('row_count').notNull(),
  applied: integer('applied').notNull(),
  positives: integer('positives').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
});

/**
 * A tube (采样管), by its pre-printed barcode: it takes people until its capacity, then is sealed,
 * and moves opened → sealed → sent → received → tested. The result lives here, once per tube;
 * every member's latest test is read through their membership.
 */
export const tubes = pgTable(
  'tubes',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => testRounds.id),
    pointId: uuid('point_id')
      .notNull()
      .references(() => collectionPoints.id),
    orgPath: text('org_path').notNull(),
    mode: text('mode').notNull(),
    capacity: integer('capacity').notNull(),
    /** A household tube (一户一管) takes the members of one household only. */
    householdId: uuid('household_id'),
    memberCount: integer('member_count').notNull().default(0),
    state: text('state').notNull().default('opened'),
    openedBy: uuid('opened_by'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    sealedAt: timestamp('sealed_at', { withTimezone: true }),
    handoverId: uuid('handover_id').references(() => labHandovers.id),
    /** The lab testing it: set by the hand-over, or by the first lab to receive or test it. */
    labId: uuid('lab_id').references(() => labs.id),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    result: text('result'),
    ct: text('ct'),
    testedAt: timestamp('tested_at', { withTimezone: true }),
    resultImportId: uuid('result_import_id').references(() => labResultImports.id),
    districtCode: text('district_code').notNull(),
  },
  (t) => [
    uniqueIndex('tubes_code_key').on(t.code),
    index('tubes_round_idx').on(t.roundId, t.state),
    index('tubes_positive_idx').on(t.roundId).where(sql`result = 'positive'`),
  ],
);

/**
 * Who is in which tube: one row per person per round (the primary key is what flags a second
 * scan). The hottest table of a round, so it carries no foreign keys: their per-row checks (and
 * the row locks they take on persons and tubes) cost a third of a scan batch. Integrity is held
 * by its one writer instead: the tube row is locked in the same transaction, and persons are
 * never deleted (a duplicate is merged, and its code reaches the survivor).
 */
export const tubeMembers = pgTable(
  'tube_members',
  {
    roundId: uuid('round_id').notNull(),
    personId: uuid('person_id').notNull(),
    tubeId: uuid('tube_id').notNull(),
    samplerId: uuid('sampler_id'),
    scannedAt: timestamp('scanned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.personId] }),
    index('tube_members_tube_idx').on(t.tubeId),
    index('tube_members_person_idx').on(t.personId, t.scannedAt),
  ],
);

/**
 * Memberships of tubes the lab found invalid (无效), moved out of `tube_members` so their people
 * can be sampled again in the round (one membership per person and round there): who was in the
 * tube stays known, for its members list, the day summary and any later correction.
 */
export const releasedTubeMembers = pgTable(
  'released_tube_members',
  {
    roundId: uuid('round_id').notNull(),
    personId: uuid('person_id').notNull(),
    tubeId: uuid('tube_id').notNull(),
    samplerId: uuid('sampler_id'),
    scannedAt: timestamp('scanned_at', { withTimezone: true }).notNull(),
    releasedAt: timestamp('released_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tubeId, t.personId] }),
    index('released_tube_members_round_idx').on(t.roundId),
    // Whether someone on a missing list was swabbed into an invalid tube (to be swabbed again).
    index('released_tube_members_person_idx').on(t.personId, t.roundId),
  ],
);

/**
 * People sampled in a round per grid, kept by the scans themselves (one upsert per batch), so a
 * district's coverage never joins a million memberships to a million people. Counted by the grid
 * and residence status the person had when sampled; `recountRoundCoverage` rebuilds it exactly.
 */
export const roundGridCounts = pgTable(
  'round_grid_counts',
  {
    roundId: uuid('round_id').notNull(),
    orgPath: text('org_path').notNull(),
    /** Sampled people who were due (living here, or away long-term). */
    sampled: integer('sampled').notNull().default(0),
    /** Of them, the ones away long-term (who would otherwise count as exempt). */
    sampledAway: integer('sampled_away').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.orgPath] })],
);

/** Why a person is not due in a round (长期在外, 卧床 → door-to-door, 婴幼儿, 住院, …). */
export const testExemptions = pgTable(
  'test_exemptions',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => testRounds.id),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id),
    reason: text('reason').notNull(),
    note: text('note'),
    orgPath: text('org_path').notNull(),
    recordedBy: uuid('recorded_by'),
    /**
     * Recorded by a door-to-door sweep's outcome (已搬离) for one household: withdrawn when that
     * household's outcome is corrected, whoever lives where by then.
     */
    sweepId: uuid('sweep_id').references(() => sweeps.id),
    sweepHouseholdId: uuid('sweep_household_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.personId] })],
);

/** A pooled positive's recall of one member (单管复核): one per member, tracked to its outcome. */
export const rechecks = pgTable(
  'rechecks',
  {
    id: uuid('id').primaryKey(),
    roundId: uuid('round_id').notNull(),
    tubeId: uuid('tube_id')
      .notNull()
      .references(() => tubes.id),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id),
    workItemId: uuid('work_item_id').references(() => workItems.id),
    orgPath: text('org_path').notNull(),
    state: text('state').notNull().default('open'),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('rechecks_tube_person_key').on(t.tubeId, t.personId),
    index('rechecks_person_idx').on(t.personId, t.state),
    index('rechecks_round_idx').on(t.roundId, t.state),
  ],
);

/** A door-to-door sweep (入户采样) or weekly drill: a team assigned households, an outcome per household. */
export const sweeps = pgTable('sweeps', {
  id: uuid('id').primaryKey(),
  roundId: uuid('round_id')
    .notNull()
    .references(() => testRounds.id),
  pointId: uuid('point_id')
    .notNull()
    .references(() => collectionPoints.id),
  orgUnitId: uuid('org_unit_id')
    .notNull()
    .references(() => orgUnits.id),
  orgPath: text('org_path').notNull(),
  name: text('name').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
});

export const sweepHouseholds = pgTable(
  'sweep_households',
  {
    sweepId: uuid('sweep_id')
      .notNull()
      .references(() => sweeps.id),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    orgPath: text('org_path').notNull(),
    outcome: text('outcome'),
    note: text('note'),
    visitedBy: uuid('visited_by'),
    visitedAt: timestamp('visited_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.sweepId, t.householdId] }),
    // A household's sweeps, when it moves or a new team is formed (no two teams at one door).
    index('sweep_households_household_idx').on(t.householdId),
  ],
);
