import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Flex,
  Form,
  Grid,
  Input,
  Popconfirm,
  Segmented,
  Select,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ResidenceStatus } from '../../../domain/residents';
import { EXEMPTION_REASON_NAMES, EXEMPTION_REASONS, type ExemptionReason } from '../../../domain/testing';
import { api } from '../../api';
import { FieldOutboxNotice } from '../../components/FieldOutboxNotice';
import { KeptCopyNotice } from '../../components/KeptCopyNotice';
import { ModalForm } from '../../components/ModalForm';
import { OrgUnitSelect } from '../../components/OrgUnitSelect';
import { ResidenceStatusTag } from '../../components/ResidenceStatusTag';
import { useQueueFieldWrite, useWaitingSubjects } from '../../fieldOutbox';
import { formatTime } from '../../format';
import { useShowError } from '../../forms';
import { nameIn } from '../../i18n';
import { keptQueryFn, useOnline } from '../../offline';
import { coverageQuery, formatCount, type MissingPerson } from '../../testingTypes';
import { touchSize } from '../../touch';
import type { Page } from '../../types';
import { UnitTrail, type UnitTrailProps } from './UnitTrail';

/** Who is still to be sampled where the page stands: the list that closes a round. */
export function MissingTab({ roundId, trail, onTrail }: UnitTrailProps) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const unit = trail.at(-1);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [exempting, setExempting] = useState<{ open: boolean; person?: MissingPerson }>({ open: false });
  const [showing, setShowing] = useState<'missing' | 'exempt'>('missing');
  const showError = useShowError();
  const exporting = useMutation({
    mutationFn: () => api.download(`/test-rounds/${roundId}/missing.xlsx`, { orgUnitId: unit?.value }),
    onError: (error) => showError(error),
  });
  const query = { orgUnitId: unit?.value, page, pageSize };
  // Kept on the phone: a grid worker at a door, reloading with no signal, still has the list to
  // exempt from (as it was when last read; the page says so).
  const keptName = `missing.${roundId}.${query.orgUnitId ?? ''}.${page}.${pageSize}`;
  const missing = useQuery({
    queryKey: ['test-missing', roundId, query],
    queryFn: keptQueryFn(keptName, () =>
      api.get<Page<MissingPerson>>(`/test-rounds/${roundId}/missing`, query),
    ),
    placeholderData: keepPreviousData,
  });
  const online = useOnline();
  const coverage = useQuery({ ...coverageQuery(roundId, unit?.value), placeholderData: keepPreviousData });

  const waitingExemption = useWaitingSubjects('exemption', roundId);
  const exemptButton = (person: MissingPerson) =>
    waitingExemption.has(person.id) ? (
      <Tag color="warning" data-testid={`exempt-waiting-${person.id}`}>
        {t('outbox.pending')}
      </Tag>
    ) : (
      person.actions.exempt && (
        <Button
          // A thumb on a phone: a full-height button; a desk's row keeps it small.
          size={touchSize(screens.md ? 'small' : 'middle')}
          onClick={() => setExempting({ open: true, person })}
          data-testid={`exempt-button-${person.id}`}
        >
          {t('testing.missing.exempt')}
        </Button>
      )
    );
  // Swabbed already, into a tube the lab found invalid: said before the door-knocker hears
  // "我已经做过了".
  const resampleTag = (person: MissingPerson) =>
    person.resample && (
      <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid={`missing-resample-${person.id}`}>
        {t('testing.missing.resample')}
      </Tag>
    );
  const nameLink = (person: MissingPerson) => (
    <Link to={`/residents/${person.id}`} data-testid={`missing-person-${person.id}`}>
      {person.name}
    </Link>
  );

  // A phone has room for one column: who, where, and the action beside them.
  const narrowColumns: TableColumnsType<MissingPerson> = [
    {
      title: t('testing.missing.person'),
      key: 'person',
      render: (_, person) => (
        <Flex justify="space-between" align="center" gap={8}>
          <Flex vertical gap={2} style={{ minWidth: 0 }}>
            <Flex gap={8} align="center" wrap>
              {nameLink(person)}
              <Typography.Text type="secondary">{person.phone ?? ''}</Typography.Text>
              {resampleTag(person)}
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {person.gridName} · {person.address}
            </Typography.Text>
          </Flex>
          {exemptButton(person)}
        </Flex>
      ),
    },
  ];
  const wideColumns: TableColumnsType<MissingPerson> = [
    { title: t('residents.name'), dataIndex: 'name', render: (_, person) => nameLink(person) },
    { title: t('residents.phone'), dataIndex: 'phone', render: (phone: string | null) => phone ?? '—' },
    { title: t('residents.address'), dataIndex: 'address' },
    { title: t('residents.grid'), dataIndex: 'gridName' },
    {
      title: t('residents.residenceStatus'),
      dataIndex: 'residenceStatus',
      render: (status: ResidenceStatus, person) => (
        <Flex gap={4} wrap>
          <ResidenceStatusTag status={status} />
          {resampleTag(person)}
        </Flex>
      ),
    },
    { title: t('common.actions'), key: 'actions', render: (_, person) => exemptButton(person) },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <UnitTrail roundId={roundId} trail={trail} onTrail={onTrail} />
        <div style={{ flex: '0 1 280px', minWidth: 200 }}>
          {/* A jump straight to a unit (a grid worker's own grid) without drilling down to it. */}
          <OrgUnitSelect
            value={undefined}
            onChange={(chosen) => chosen && onTrail([chosen])}
            placeholder={t('testing.missing.pickUnit')}
            data-testid="missing-unit"
          />
        </div>
      </Flex>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text data-testid="missing-count">
          {coverage.data
            ? t('testing.missing.summary', {
                unit: coverage.data.orgUnitName,
                missing: formatCount(coverage.data.missing),
                due: formatCount(coverage.data.due),
              })
            : '…'}
        </Typography.Text>
        {/* To print for door-knocking: masked phones, audited as an export. */}
        <Button
          icon={<DownloadOutlined />}
          loading={exporting.isPending}
          disabled={!coverage.data || coverage.data.missing === 0}
          onClick={() => exporting.mutate()}
          data-testid="missing-export"
        >
          {t('testing.missing.export')}
        </Button>
      </Flex>
      <Segmented
        value={showing}
        onChange={(value) => setShowing(value as 'missing' | 'exempt')}
        options={[
          { value: 'missing', label: t('testing.missing.showMissing') },
          { value: 'exempt', label: t('testing.missing.showExempt') },
        ]}
        style={{ alignSelf: 'flex-start' }}
        data-testid="missing-or-exempt"
      />
      {showing === 'exempt' ? (
        <ExemptList roundId={roundId} orgUnitId={unit?.value} byStatus={coverage.data?.exemptByStatus ?? 0} />
      ) : (
        <>
          {missing.data && (
            <KeptCopyNotice
              name={keptName}
              also={!online}
              title={t('testing.missing.offlineCopy')}
              data-testid="missing-offline"
            />
          )}
          <FieldOutboxNotice kind="exemption" parentId={roundId} />
          {missing.error && <Alert type="error" showIcon title={missing.error.message} />}
          <Table<MissingPerson>
            rowKey="id"
            size={screens.md ? 'middle' : 'small'}
            columns={screens.md ? wideColumns : narrowColumns}
            showHeader={Boolean(screens.md)}
            dataSource={missing.data?.items}
            loading={missing.isFetching && (missing.isPlaceholderData || missing.isPending)}
            scroll={screens.md ? { x: 'max-content' } : undefined}
            locale={{ emptyText: t('testing.missing.none') }}
            data-testid="missing-table"
            pagination={{
              current: page,
              pageSize,
              total: missing.data?.total ?? 0,
              showSizeChanger: Boolean(screens.md),
              size: touchSize(screens.md ? undefined : 'small'),
              showTotal: (total) => t('common.total', { total }),
              onChange: (nextPage, nextPageSize) => {
                setPage(nextPage);
                setPageSize(nextPageSize);
              },
            }}
          />
        </>
      )}
      <ExemptModal
        roundId={roundId}
        open={exempting.open}
        person={exempting.person}
        onClose={() => setExempting((current) => ({ ...current, open: false }))}
      />
    </Flex>
  );
}

interface ExemptValues {
  reason: ExemptionReason;
  note?: string;
}

function ExemptModal({
  roundId,
  person,
  open,
  onClose,
}: {
  roundId: string;
  person?: MissingPerson;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const queueFieldWrite = useQueueFieldWrite();
  // Into the phone's outbox, as a door-to-door team's outcomes: recorded at a door with no signal,
  // sent when there is one, once (useFieldWrites says what became of it).
  const exempt = (values: ExemptValues) => {
    if (!person) return;
    queueFieldWrite({
      kind: 'exemption',
      path: `/test-rounds/${roundId}/exemptions`,
      body: { personId: person.id, reason: values.reason, note: values.note?.trim() || null },
      label: person.name,
      subjectId: person.id,
      parentId: roundId,
    });
    onClose();
  };
  return (
    <ModalForm<ExemptValues>
      open={open}
      title={t('testing.missing.exemptTitle', { name: person?.name ?? '' })}
      pending={false}
      onSubmit={exempt}
      onClose={onClose}
      submitTestId="exempt-submit"
    >
      {person && (
        <Typography.Paragraph type="secondary">
          {person.gridName} · {person.address}
        </Typography.Paragraph>
      )}
      <Form.Item
        name="reason"
        label={t('testing.missing.reason')}
        rules={[{ required: true, message: t('testing.missing.reasonRequired') }]}
      >
        <Select
          options={EXEMPTION_REASONS.map((reason) => ({
            value: reason,
            label: nameIn(i18n.language, EXEMPTION_REASON_NAMES[reason]),
          }))}
          data-testid="exempt-reason"
        />
      </Form.Item>
      {/* The note's hint follows the reason: required for 其他, which says nothing by itself. */}
      <Form.Item noStyle dependencies={['reason']}>
        {({ getFieldValue }) => {
          const other = getFieldValue('reason') === 'other';
          return (
            <Form.Item
              name="note"
              label={t('testing.missing.note')}
              rules={[
                { max: 200 },
                { required: other, whitespace: true, message: t('testing.missing.otherNeedsNote') },
              ]}
            >
              <Input.TextArea
                rows={2}
                placeholder={t(
                  other ? 'testing.missing.otherNotePlaceholder' : 'testing.missing.notePlaceholder',
                )}
                data-testid="exempt-note"
              />
            </Form.Item>
          );
        }}
      </Form.Item>
    </ModalForm>
  );
}

interface ExemptPerson {
  id: string;
  name: string;
  address: string;
  gridName: string;
  reason: ExemptionReason;
  note: string | null;
  fromSweep: boolean;
  recordedByName: string | null;
  createdAt: string;
  actions: { withdraw: boolean };
}

/** Who is exempt here, why and by whom: a mistaken exemption is withdrawn, and the person is due again. */
function ExemptList({
  roundId,
  orgUnitId,
  byStatus,
}: {
  roundId: string;
  orgUnitId?: string;
  /** Exempt by residence status (away long-term): counted in the coverage, unlisted here. */
  byStatus: number;
}) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const query = { orgUnitId, page, pageSize: 20 };
  // Kept on the phone as the missing list is: a grid worker at a door without signal who finds an
  // exempt person at home after all withdraws the exemption there.
  const keptName = `exempt.${roundId}.${orgUnitId ?? ''}.${page}`;
  const exempt = useQuery({
    queryKey: ['test-exempt', roundId, query],
    queryFn: keptQueryFn(keptName, () =>
      api.get<Page<ExemptPerson>>(`/test-rounds/${roundId}/exemptions`, query),
    ),
    placeholderData: keepPreviousData,
  });
  const online = useOnline();
  const queueFieldWrite = useQueueFieldWrite();
  const waitingWithdrawal = useWaitingSubjects('exemption-withdrawal', roundId);
  // Into the phone's outbox, as the exemption itself went: sent when there is a network, once.
  const withdraw = (person: ExemptPerson) =>
    queueFieldWrite({
      kind: 'exemption-withdrawal',
      path: `/test-rounds/${roundId}/exemptions/${person.id}`,
      body: {},
      label: t('testing.missing.withdrawLabel', { name: person.name }),
      subjectId: person.id,
      parentId: roundId,
    });
  const columns: TableColumnsType<ExemptPerson> = [
    {
      title: t('testing.missing.person'),
      key: 'person',
      render: (_, person) => (
        <Flex vertical gap={2}>
          <Link to={`/residents/${person.id}`}>{person.name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {person.gridName} · {person.address}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('testing.missing.reason'),
      key: 'reason',
      render: (_, person) => (
        <Flex vertical gap={2}>
          <Typography.Text>{nameIn(i18n.language, EXEMPTION_REASON_NAMES[person.reason])}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[
              person.note,
              person.fromSweep ? t('testing.missing.bySweep') : person.recordedByName,
              formatTime(person.createdAt),
            ]
              .filter(Boolean)
              .join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, person) =>
        waitingWithdrawal.has(person.id) ? (
          <Tag color="warning" data-testid={`exempt-withdraw-waiting-${person.id}`}>
            {t('outbox.pending')}
          </Tag>
        ) : (
          person.actions.withdraw && (
            <Popconfirm
              title={t('testing.missing.withdrawConfirm', { name: person.name })}
              onConfirm={() => withdraw(person)}
            >
              <Button size={touchSize('small')} danger data-testid={`exempt-withdraw-${person.id}`}>
                {t('testing.missing.withdraw')}
              </Button>
            </Popconfirm>
          )
        ),
    },
  ];
  return (
    <>
      <KeptCopyNotice
        name={keptName}
        also={!online}
        title={t('testing.missing.offlineExemptCopy')}
        marginBottom={8}
        data-testid="exempt-offline"
      />
      <FieldOutboxNotice kind="exemption-withdrawal" parentId={roundId} />
      {exempt.error && <Alert type="error" showIcon title={exempt.error.message} />}
      {byStatus > 0 && (
        <Alert
          type="info"
          showIcon
          title={t('testing.missing.exemptByStatus', { count: byStatus })}
          data-testid="exempt-by-status"
        />
      )}
      <Table<ExemptPerson>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={exempt.data?.items}
        loading={exempt.isFetching}
        locale={{ emptyText: t('testing.missing.noExempt') }}
        data-testid="exempt-table"
        pagination={{
          current: page,
          pageSize: 20,
          total: exempt.data?.total ?? 0,
          size: touchSize('small'),
          showTotal: (total) => t('common.total', { total }),
          onChange: setPage,
        }}
      />
    </>
  );
}
