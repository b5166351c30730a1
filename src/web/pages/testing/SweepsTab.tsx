import { CheckCircleFilled, HomeOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Drawer,
  Flex,
  Form,
  Grid,
  Input,
  Progress,
  Segmented,
  Select,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  theme,
} from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { listed, noted } from '../../../domain/language';
import {
  EXEMPTION_REASON_NAMES,
  type ExemptionReason,
  SWEEP_OUTCOME_NAMES,
  SWEEP_OUTCOMES,
  type SweepOutcome,
} from '../../../domain/testing';
import { api } from '../../api';
import { FieldOutboxNotice } from '../../components/FieldOutboxNotice';
import { KeptCopyNotice } from '../../components/KeptCopyNotice';
import { ModalForm } from '../../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../../components/OrgUnitSelect';
import { TeamField } from '../../components/testing/TeamField';
import { useFieldOutbox, useQueueFieldWrite, waitingSubjects, waitingWrites } from '../../fieldOutbox';
import { formatTime } from '../../format';
import { useShowError } from '../../forms';
import { nameIn } from '../../i18n';
import { keptQueryFn } from '../../offline';
import type { Sweep, SweepDetail, SweepHousehold, TestRoundDetail } from '../../testingTypes';
import { TOUCH, touchSize } from '../../touch';
import { useMe } from '../../useMe';

const OUTCOME_COLORS: Record<SweepOutcome, string> = {
  sampled: 'green',
  nobody_home: 'orange',
  refused: 'red',
  moved: 'default',
  other: 'blue',
};

/** Door-to-door teams: each takes the households of a unit that still have someone missing. */
/**
 * A team's progress as its list and its drawer say it: the households the server has visited, and
 * those whose outcome waits on this phone (a first visit or a correction alike).
 */
function visitedSaid(t: TFunction, visited: number, households: number, waiting: number) {
  return waiting > 0
    ? t('testing.sweeps.visitedWaiting', { visited, households, waiting })
    : t('testing.sweeps.visitedOf', { visited, households });
}

export function SweepsTab({ round }: { round: TestRoundDetail }) {
  const { t, i18n } = useTranslation();
  const [creating, setCreating] = useState(false);
  const [opened, setOpened] = useState<{ open: boolean; sweep?: Sweep }>({ open: false });
  const sweeps = useQuery({
    queryKey: ['test-sweeps', round.id],
    queryFn: keptQueryFn(`sweeps.${round.id}`, () =>
      api.get<{ items: Sweep[] }>(`/test-rounds/${round.id}/sweeps`),
    ),
  });

  // Outcomes recorded on this phone and not yet on the server, per team: the list's counts are the
  // server's, so a worker offline in a village sees beside them what waits to go (a first visit
  // or a correction alike), not 0 of 374.
  const { items: waiting } = useFieldOutbox();
  const waitingOf = (sweep: Sweep) => waitingSubjects(waiting, 'sweep-outcome', sweep.id).size;

  const screens = Grid.useBreakpoint();
  const nameButton = (sweep: Sweep) => (
    <Button
      type="link"
      size={touchSize('small')}
      // Under a finger its row is a tap target of full height; on a desk it reads as a link.
      style={
        TOUCH
          ? { padding: 0, whiteSpace: 'normal', textAlign: 'start' }
          : { padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }
      }
      onClick={() => setOpened({ open: true, sweep })}
      data-testid={`sweep-open-${sweep.id}`}
    >
      {sweep.name}
    </Button>
  );
  const progress = (sweep: Sweep) => (
    <Flex vertical gap={0}>
      <Progress
        size="small"
        percent={sweep.households > 0 ? Math.round((sweep.visited / sweep.households) * 100) : 0}
        style={{ margin: 0 }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`sweep-visited-${sweep.id}`}>
        {visitedSaid(t, sweep.visited, sweep.households, waitingOf(sweep))}
      </Typography.Text>
    </Flex>
  );
  const teamOf = (sweep: Sweep) => (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`sweep-team-${sweep.id}`}>
      {sweep.team.length > 0 ? listed(sweep.team, i18n.language) : t('testing.sweeps.anySampler')}
    </Typography.Text>
  );
  const narrowColumns: TableColumnsType<Sweep> = [
    {
      key: 'sweep',
      render: (_, sweep) => (
        <Flex vertical gap={2}>
          <Flex justify="space-between" align="center" gap={8}>
            {nameButton(sweep)}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {sweep.orgUnitName}
            </Typography.Text>
          </Flex>
          {progress(sweep)}
          {teamOf(sweep)}
        </Flex>
      ),
    },
  ];
  const columns: TableColumnsType<Sweep> = [
    { title: t('testing.sweeps.name'), dataIndex: 'name', render: (_, sweep) => nameButton(sweep) },
    { title: t('testing.sweeps.unit'), dataIndex: 'orgUnitName' },
    { title: t('testing.sweeps.team'), key: 'team', render: (_, sweep) => teamOf(sweep) },
    {
      title: t('testing.sweeps.progress'),
      key: 'progress',
      width: 200,
      render: (_, sweep) => progress(sweep),
    },
    { title: t('testing.sweeps.createdAt'), dataIndex: 'createdAt', responsive: ['md'], render: formatTime },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">{t('testing.sweeps.hint')}</Typography.Text>
        {round.actions.organise && !round.cancelledAt && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="sweep-create"
          >
            {t('testing.sweeps.create')}
          </Button>
        )}
      </Flex>
      {sweeps.error && <Alert type="error" showIcon title={sweeps.error.message} />}
      <Table<Sweep>
        rowKey="id"
        size="small"
        columns={screens.sm ? columns : narrowColumns}
        showHeader={Boolean(screens.sm)}
        dataSource={sweeps.data?.items}
        loading={sweeps.isPending}
        scroll={screens.sm ? { x: 'max-content' } : undefined}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t('testing.sweeps.none') }}
        data-testid="sweep-table"
      />
      <SweepModal round={round} open={creating} onClose={() => setCreating(false)} />
      <SweepDrawer
        sweep={opened.sweep}
        cancelled={round.cancelledAt !== null}
        open={opened.open}
        onClose={() => setOpened((current) => ({ ...current, open: false }))}
      />
    </Flex>
  );
}

interface SweepValues {
  name: string;
  orgUnit: OrgUnitChoice;
  samplerUserIds?: string[];
}

function SweepModal({
  round,
  open,
  onClose,
}: {
  round: TestRoundDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const create = useMutation({
    mutationFn: (values: SweepValues) =>
      api.post<{ id: string; households: number }>(`/test-rounds/${round.id}/sweeps`, {
        name: values.name.trim(),
        orgUnitId: values.orgUnit.value,
        samplerUserIds: values.samplerUserIds ?? [],
      }),
    onSuccess: ({ households }) => {
      onClose();
      void message.success(t('testing.sweeps.created', { households }));
      void queryClient.invalidateQueries({ queryKey: ['test-sweeps', round.id] });
      // A sweep is also a door-to-door point of the round.
      void queryClient.invalidateQueries({ queryKey: ['test-rounds', 'detail', round.id] });
    },
  });
  return (
    <ModalForm<SweepValues>
      open={open}
      title={t('testing.sweeps.create')}
      pending={create.isPending}
      onSubmit={(values, form) => create.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="sweep-submit"
    >
      <Typography.Paragraph type="secondary">{t('testing.sweeps.createHint')}</Typography.Paragraph>
      <Form.Item
        name="name"
        label={t('testing.sweeps.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input placeholder={t('testing.sweeps.namePlaceholder')} data-testid="sweep-name" />
      </Form.Item>
      <Form.Item
        name="orgUnit"
        label={t('testing.sweeps.unit')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        <OrgUnitSelect within={round.orgUnitId} data-testid="sweep-unit" />
      </Form.Item>
      <TeamField label={t('testing.sweeps.team')} extra={t('testing.sweeps.teamHint')} testId="sweep-team" />
    </ModalForm>
  );
}

type HouseholdFilter = 'todo' | 'all';

function SweepDrawer({
  sweep,
  cancelled,
  open,
  onClose,
}: {
  sweep?: Sweep;
  /** The round was cancelled: its outcomes are read, no longer recorded. */
  cancelled: boolean;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const [filter, setFilter] = useState<HouseholdFilter>('todo');
  const [recording, setRecording] = useState<{ open: boolean; household?: SweepHousehold }>({ open: false });
  // The team's households stay on the phone: a reload in a village without signal still lists them.
  const detail = useQuery({
    queryKey: ['test-sweep', sweep?.id],
    queryFn: keptQueryFn(`sweep.${sweep?.id}`, () => api.get<SweepDetail>(`/sweeps/${sweep?.id}`)),
    enabled: open && sweep !== undefined,
  });
  const { items: waiting } = useFieldOutbox();
  // Outcomes recorded on this phone and not yet on the server, by household (the latest).
  const waitingOutcome = new Map(
    waitingWrites(waiting, 'sweep-outcome', sweep?.id ?? '').map((write) => [
      write.subjectId,
      write.body as { outcome: SweepOutcome; note: string | null },
    ]),
  );
  const mayRecord = !cancelled && (can('testing.exempt') || can('sampling.scan'));
  // The household as recorded on this phone (what waits over what the server has): the form starts
  // from it when changed again before the first reached the server.
  const withWaiting = (household: SweepHousehold): SweepHousehold => {
    const waitingOne = waitingOutcome.get(household.householdId);
    return waitingOne ? { ...household, outcome: waitingOne.outcome, note: waitingOne.note } : household;
  };
  const outcomeOf = (household: SweepHousehold) => withWaiting(household).outcome;
  const households = (detail.data?.households ?? []).filter(
    (household) => filter === 'all' || outcomeOf(household) === null,
  );

  const columns: TableColumnsType<SweepHousehold> = [
    {
      title: t('testing.sweeps.household'),
      key: 'household',
      render: (_, household) => (
        <Flex vertical gap={4}>
          <Flex justify="space-between" gap={8} align="start">
            <Flex vertical gap={0} style={{ minWidth: 0 }}>
              <Typography.Text strong>
                <HomeOutlined /> {household.address}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {household.gridName}
              </Typography.Text>
            </Flex>
            {mayRecord && (
              <Button
                // A thumb at a door, on a phone: a full-height button; a desk's row keeps it small.
                size={touchSize(screens.md ? 'small' : 'middle')}
                type={outcomeOf(household) ? 'default' : 'primary'}
                ghost={!outcomeOf(household)}
                onClick={() => setRecording({ open: true, household: withWaiting(household) })}
                data-testid={`sweep-outcome-${household.householdId}`}
              >
                {outcomeOf(household) ? t('testing.sweeps.change') : t('testing.sweeps.record')}
              </Button>
            )}
          </Flex>
          <Flex gap={4} wrap>
            {household.members.map((member) => (
              <Tag
                key={member.id}
                color={member.sampled ? 'success' : member.exemption ? 'warning' : 'default'}
                icon={member.sampled ? <CheckCircleFilled /> : undefined}
                style={{ marginInlineEnd: 0 }}
                data-member-state={member.sampled ? 'sampled' : member.exemption ? 'exempt' : 'missing'}
              >
                {member.name}
                {!member.sampled && member.exemption && member.exemption in EXEMPTION_REASON_NAMES
                  ? noted(
                      '',
                      nameIn(i18n.language, EXEMPTION_REASON_NAMES[member.exemption as ExemptionReason]),
                      i18n.language,
                    )
                  : null}
              </Tag>
            ))}
          </Flex>
          {waitingOutcome.has(household.householdId) ? (
            <Typography.Text style={{ fontSize: 12 }}>
              <Tag color="warning" data-testid={`sweep-waiting-${household.householdId}`}>
                {t('outbox.pending')} ·{' '}
                {nameIn(
                  i18n.language,
                  SWEEP_OUTCOME_NAMES[waitingOutcome.get(household.householdId)?.outcome as SweepOutcome],
                )}
              </Tag>
            </Typography.Text>
          ) : (
            household.outcome && (
              <Typography.Text style={{ fontSize: 12 }}>
                <Tag color={OUTCOME_COLORS[household.outcome]}>
                  {nameIn(i18n.language, SWEEP_OUTCOME_NAMES[household.outcome])}
                </Tag>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatTime(household.visitedAt)}
                  {household.note ? ` · ${household.note}` : ''}
                </Typography.Text>
              </Typography.Text>
            )
          )}
        </Flex>
      ),
    },
  ];

  const total = detail.data?.households.length ?? 0;
  const visited = detail.data?.households.filter((household) => outcomeOf(household) !== null).length ?? 0;
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={sweep?.name}
      size={screens.md ? 640 : '100%'}
      destroyOnHidden
      data-testid="sweep-drawer"
    >
      <Flex vertical gap={12}>
        <Flex justify="space-between" align="center" gap={8} wrap>
          {/* Said as the team list says it: the server's count, and what waits on this phone. */}
          <Typography.Text>
            {visitedSaid(
              t,
              (detail.data?.households ?? []).filter((household) => household.outcome !== null).length,
              total,
              waitingOutcome.size,
            )}
          </Typography.Text>
          <Segmented<HouseholdFilter>
            value={filter}
            onChange={setFilter}
            options={[
              { value: 'todo', label: t('testing.sweeps.todo', { count: total - visited }) },
              { value: 'all', label: t('testing.sweeps.all') },
            ]}
          />
        </Flex>
        <Progress
          percent={total > 0 ? Math.round((visited / total) * 100) : 0}
          strokeColor={token.colorSuccess}
          showInfo={false}
        />
        {detail.data && (
          <KeptCopyNotice
            name={`sweep.${sweep?.id}`}
            title={t('testing.sweeps.offlineCopy')}
            data-testid="sweep-offline-copy"
          />
        )}
        {sweep && <FieldOutboxNotice kind="sweep-outcome" parentId={sweep.id} />}
        {detail.error && <Alert type="error" showIcon title={detail.error.message} />}
        <Table<SweepHousehold>
          rowKey="householdId"
          size="small"
          showHeader={false}
          columns={columns}
          dataSource={households}
          loading={detail.isPending}
          pagination={{
            pageSize: 30,
            hideOnSinglePage: true,
            size: touchSize(screens.md ? 'small' : 'middle'),
          }}
          locale={{ emptyText: t('testing.sweeps.noHouseholds') }}
          data-testid="sweep-households"
        />
      </Flex>
      {sweep && (
        <OutcomeModal
          sweepId={sweep.id}
          household={recording.household}
          open={recording.open}
          onClose={() => setRecording((current) => ({ ...current, open: false }))}
        />
      )}
    </Drawer>
  );
}

interface OutcomeValues {
  outcome: SweepOutcome;
  note?: string;
}

function OutcomeModal({
  sweepId,
  household,
  open,
  onClose,
}: {
  sweepId: string;
  household?: SweepHousehold;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const queueFieldWrite = useQueueFieldWrite();
  // Into the phone's outbox, never straight to the server: a door with no signal loses nothing,
  // and the outbox sends it with one client id however many tries it takes (useFieldWrites says
  // what became of it).
  const record = (values: OutcomeValues) => {
    if (!household) return;
    const body = { outcome: values.outcome, note: values.note?.trim() || null };
    queueFieldWrite({
      kind: 'sweep-outcome',
      path: `/sweeps/${sweepId}/households/${household.householdId}/outcome`,
      body,
      label: noted(
        household.address,
        nameIn(i18n.language, SWEEP_OUTCOME_NAMES[values.outcome]),
        i18n.language,
      ),
      subjectId: household.householdId,
      parentId: sweepId,
    });
    // Shown at once as waiting (the drawer reads the outbox); the sweep is read again once the
    // server has it, or if it refuses it.
    onClose();
  };
  return (
    <ModalForm<OutcomeValues>
      open={open}
      title={household?.address ?? ''}
      initialValues={{ outcome: household?.outcome ?? undefined, note: household?.note ?? undefined }}
      pending={false}
      onSubmit={record}
      onClose={onClose}
      submitTestId="sweep-outcome-submit"
    >
      <Form.Item
        name="outcome"
        label={t('testing.sweeps.outcome')}
        rules={[{ required: true, message: t('testing.sweeps.outcomeRequired') }]}
      >
        <Select
          options={SWEEP_OUTCOMES.map((outcome) => ({
            value: outcome,
            label: nameIn(i18n.language, SWEEP_OUTCOME_NAMES[outcome]),
          }))}
          data-testid="sweep-outcome-select"
        />
      </Form.Item>
      {/* What 已搬离 does besides being recorded, said before it is chosen for good. */}
      <Form.Item noStyle shouldUpdate={(before, after) => before.outcome !== after.outcome}>
        {({ getFieldValue }) =>
          getFieldValue('outcome') === 'moved' ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              message={t(
                can('testing.exempt') ? 'testing.sweeps.movedHint' : 'testing.sweeps.movedHintVerify',
              )}
              data-testid="sweep-moved-hint"
            />
          ) : getFieldValue('outcome') === 'sampled' ? (
            // The outcome is the visit's; each person counts when their code is scanned into a tube.
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message={t('testing.sweeps.sampledHint')}
              data-testid="sweep-sampled-hint"
            />
          ) : null
        }
      </Form.Item>
      <Form.Item
        name="note"
        label={t('testing.missing.note')}
        dependencies={['outcome']}
        rules={[
          { max: 200 },
          // Checked at the door, not refused hours later from the phone's outbox.
          ({ getFieldValue }) => ({
            required: getFieldValue('outcome') === 'other',
            whitespace: true,
            message: t('testing.sweeps.otherNeedsNote'),
          }),
        ]}
      >
        <Input.TextArea rows={2} data-testid="sweep-outcome-note" />
      </Form.Item>
    </ModalForm>
  );
}
