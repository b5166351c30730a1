import {
  ArrowLeftOutlined,
  EditOutlined,
  EyeOutlined,
  MergeCellsOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  Result,
  Row,
  Select,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { DOCUMENT_TYPE_NAMES } from '../../domain/id-number';
import {
  RESIDENT_ADDRESS_MAX,
  STATUS_KIND_NAMES,
  STATUS_KINDS,
  type StatusKind,
} from '../../domain/residents';
import { RECORDABLE_STATUS_VALUES, statusSourceName, statusValueName } from '../../domain/testing';
import { ApiError, api } from '../api';
import { useIntentIds } from '../clientIds';
import { DateTimeField } from '../components/DateTimeField';
import { ModalForm } from '../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../components/OrgUnitSelect';
import { ResidenceStatusTag } from '../components/ResidenceStatusTag';
import { ResidentFormModal } from '../components/ResidentFormModal';
import { formatTime } from '../format';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { PersonCodeButton } from '../sampling/PersonCodeButton';
import { touchSize } from '../touch';
import type { Page, PersonStatus, Resident, ResidentDetail } from '../types';

type Dialog = 'edit' | 'status' | 'merge';

// How a resident came to be in a key group, as the server names it; another name shows as it is.
const KEY_GROUP_SOURCES = ['registry', 'import', 'demo'] as const;
const isKnownSource = (source: string): source is (typeof KEY_GROUP_SOURCES)[number] =>
  (KEY_GROUP_SOURCES as readonly string[]).includes(source);

export function ResidentDetailPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const { modal } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const location = useLocation();
  const [dialog, setDialog] = useState<Dialog>();

  const query = useQuery({
    queryKey: ['residents', 'detail', id],
    queryFn: () => api.get<ResidentDetail>(`/residents/${id}`),
  });

  const unmask = useMutation({
    mutationFn: () =>
      api.post<{ idNumber: string; phone: string | null; birthDate: string | null }>(
        `/residents/${id}/unmask`,
      ),
    onSuccess: ({ idNumber, phone, birthDate }) => {
      modal.info({
        title: t('residents.fullNumbersOf', { name: query.data?.name }),
        content: (
          <Descriptions
            column={1}
            size="small"
            items={[
              { key: 'id', label: t('residents.idNumber'), children: idNumber },
              { key: 'phone', label: t('residents.phone'), children: phone ?? '—' },
              { key: 'birthDate', label: t('residents.birthDate'), children: birthDate ?? '—' },
            ]}
          />
        ),
      });
    },
    onError: (error) => showError(error),
  });

  // Back to the list as it was left (its filters are in the address), unless the page was opened
  // directly (a bookmark, a link in a message): then there is nothing to go back to in the app.
  const back = () => (location.key === 'default' ? navigate('/residents') : navigate(-1));
  const backButton = (
    <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingInline: 0 }}>
      {t('residents.backToList')}
    </Button>
  );

  if (query.error) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return <Result status="404" title="404" subTitle={query.error.message} extra={backButton} />;
    }
    return <Alert type="error" showIcon title={query.error.message} action={backButton} />;
  }
  const resident = query.data;
  if (!resident) return <Spin />;

  const closeDialog = () => setDialog(undefined);

  return (
    <Flex vertical gap={16}>
      <div>{backButton}</div>
      <Card
        title={
          <Flex gap={8} align="center" wrap>
            <span data-testid="resident-detail-name">{resident.name}</span>
            <ResidenceStatusTag status={resident.residenceStatus} />
            <ControlStateTag status={resident.statuses.control_state} />
            {resident.synthetic && <Tag>{t('residents.synthetic')}</Tag>}
          </Flex>
        }
      >
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          {resident.actions.update && (
            <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="resident-edit">
              {t('common.edit')}
            </Button>
          )}
          {resident.actions.unmask && (
            <Button
              icon={<EyeOutlined />}
              loading={unmask.isPending}
              onClick={() => unmask.mutate()}
              data-testid="resident-unmask"
            >
              {t('residents.unmask')}
            </Button>
          )}
          <PersonCodeButton
            residentId={resident.id}
            name={resident.name}
            canRenew={resident.actions.update}
          />
          {resident.actions.update && (
            <Button
              icon={<PlusOutlined />}
              onClick={() => setDialog('status')}
              data-testid="resident-record-status"
            >
              {t('residents.recordStatus')}
            </Button>
          )}
          {resident.actions.merge && (
            <Button
              icon={<MergeCellsOutlined />}
              onClick={() => setDialog('merge')}
              data-testid="resident-merge"
            >
              {t('residents.merge')}
            </Button>
          )}
        </Flex>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, xl: 3 }}
          items={[
            { key: 'name', label: t('residents.name'), children: resident.name },
            {
              key: 'documentType',
              label: t('residents.documentType'),
              children: nameIn(i18n.language, DOCUMENT_TYPE_NAMES[resident.documentType]),
            },
            { key: 'idNumber', label: t('residents.idNumber'), children: resident.idNumber },
            { key: 'phone', label: t('residents.phone'), children: resident.phone ?? '—' },
            {
              key: 'sex',
              label: t('residents.sex'),
              children: resident.sex ? t(`residents.sexes.${resident.sex}`) : '—',
            },
            {
              key: 'age',
              label: t('residents.age'),
              children: resident.age ?? '—',
            },
            { key: 'grid', label: t('residents.grid'), children: resident.gridName },
            { key: 'address', label: t('residents.address'), children: resident.address },
            { key: 'updatedAt', label: t('residents.updatedAt'), children: formatTime(resident.updatedAt) },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <HouseholdCard resident={resident} />
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('residents.keyGroups')} style={{ height: '100%' }}>
            <Table
              rowKey="code"
              size="small"
              pagination={false}
              dataSource={resident.keyGroups}
              locale={{ emptyText: t('common.none') }}
              columns={[
                { title: t('keyGroups.name'), dataIndex: 'name' },
                {
                  title: t('residents.source'),
                  dataIndex: 'source',
                  render: (source: string) =>
                    isKnownSource(source) ? t(`residents.sources.${source}`) : source,
                },
                { title: t('residents.since'), dataIndex: 'since' },
              ]}
              data-testid="resident-key-group-table"
            />
          </Card>
        </Col>
      </Row>
      <Card title={t('residents.statuses')}>
        <Row gutter={[16, 16]}>
          {STATUS_KINDS.map((kind) => (
            <Col key={kind} xs={24} md={12}>
              <StatusHistory
                kind={kind}
                current={resident.statuses[kind]}
                history={resident.statusHistory.filter((status) => status.kind === kind)}
              />
            </Col>
          ))}
        </Row>
      </Card>
      <ResidentFormModal resident={resident} open={dialog === 'edit'} onClose={closeDialog} />
      <StatusModal residentId={resident.id} open={dialog === 'status'} onClose={closeDialog} />
      <MergeModal resident={resident} open={dialog === 'merge'} onClose={closeDialog} />
    </Flex>
  );
}

function HouseholdCard({ resident }: { resident: ResidentDetail }) {
  const { t } = useTranslation();
  const { household } = resident;
  const [moving, setMoving] = useState(false);
  return (
    <Card
      title={t('residents.members')}
      style={{ height: '100%' }}
      extra={
        household && resident.actions.update ? (
          <Button size={touchSize('small')} onClick={() => setMoving(true)} data-testid="household-move">
            {t('residents.moveHousehold')}
          </Button>
        ) : null
      }
    >
      {household && (
        <MoveHouseholdModal householdId={household.id} open={moving} onClose={() => setMoving(false)} />
      )}
      {household ? (
        <Flex vertical gap={8} data-testid="resident-household-members">
          <Typography.Text type="secondary">{household.address}</Typography.Text>
          {household.members.map((member) => (
            <Flex key={member.id} gap={8} align="center" wrap>
              {member.id === resident.id ? (
                <Typography.Text strong>{member.name}</Typography.Text>
              ) : (
                <Link to={`/residents/${member.id}`} className="gw-tap">
                  {member.name}
                </Link>
              )}
              <ResidenceStatusTag status={member.residenceStatus} />
              {member.id === resident.id && <Tag color="blue">{t('residents.self')}</Tag>}
            </Flex>
          ))}
        </Flex>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('residents.noHousehold')} />
      )}
    </Card>
  );
}

const isExpired = (status: PersonStatus) =>
  status.validUntil !== null && dayjs(status.validUntil).isBefore(dayjs());

/**
 * Under control now (临时管控, 待转运, 隔离中): said beside the name, where whoever opens the page
 * (a grid worker from a recall) sees it first, not only in the statuses below.
 */
function ControlStateTag({ status }: { status?: PersonStatus }) {
  const { i18n } = useTranslation();
  if (!status || status.value === 'released' || isExpired(status)) return null;
  return (
    <Tag
      // Red for a person held apart (quarantined, awaiting transfer); amber for a watch kept on them.
      color={['temporary_control', 'health_monitoring'].includes(status.value) ? 'warning' : 'error'}
      data-testid="resident-control-state"
    >
      {statusValueName('control_state', status.value, i18n.language)}
    </Tag>
  );
}

/** One kind of status: what holds now (and whether it still does), then every record, newest first. */
function StatusHistory({
  kind,
  current,
  history,
}: {
  kind: StatusKind;
  current?: PersonStatus;
  history: PersonStatus[];
}) {
  const { t, i18n } = useTranslation();
  const newestFirst = [...history].sort((a, b) => b.observedAt.localeCompare(a.observedAt));
  return (
    <Card
      type="inner"
      size="small"
      title={nameIn(i18n.language, STATUS_KIND_NAMES[kind])}
      extra={
        current && (
          <Flex gap={4}>
            <Tag color={isExpired(current) ? 'default' : 'processing'}>
              {statusValueName(kind, current.value, i18n.language)}
            </Tag>
            {isExpired(current) && <Tag color="warning">{t('residents.expired')}</Tag>}
          </Flex>
        )
      }
      data-testid={`resident-status-${kind}`}
    >
      {newestFirst.length === 0 ? (
        <Typography.Text type="secondary">{t('residents.noStatus')}</Typography.Text>
      ) : (
        <Timeline
          items={newestFirst.map((status, index) => ({
            key: `${status.observedAt}-${index}`,
            color: index === 0 ? 'blue' : 'gray',
            content: (
              <Flex vertical>
                <Typography.Text strong>{statusValueName(kind, status.value, i18n.language)}</Typography.Text>
                <Typography.Text type="secondary">
                  {[
                    formatTime(status.observedAt),
                    status.source && statusSourceName(status.source, i18n.language),
                    status.validUntil && `${t('residents.validUntil')} ${formatTime(status.validUntil)}`,
                    status.recordedByName && t('residents.recordedBy', { name: status.recordedByName }),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography.Text>
              </Flex>
            ),
          }))}
        />
      )}
    </Card>
  );
}

interface StatusValues {
  kind: StatusKind;
  value: string;
  observedAt: Dayjs;
  validUntil?: Dayjs | null;
  source: string;
}

function StatusModal({
  residentId,
  open,
  onClose,
}: {
  residentId: string;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  // One client id per status recorded, kept across taps: a retry after a lost answer records it once.
  const statusIds = useIntentIds();
  const record = useMutation({
    mutationFn: ({ kind, value, observedAt, validUntil, source }: StatusValues) => {
      const body = {
        kind,
        value,
        observedAt: observedAt.toISOString(),
        validUntil: validUntil?.toISOString(),
        source,
      };
      return api.post<Resident>(`/residents/${residentId}/statuses`, {
        ...body,
        clientId: statusIds.idFor(body),
      });
    },
    onSuccess: () => {
      statusIds.settle();
      onClose();
      void message.success(t('residents.recorded'));
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
    },
  });

  return (
    <ModalForm<StatusValues>
      open={open}
      title={t('residents.recordStatus')}
      // Usually recorded as it is checked: "now" unless the user says otherwise.
      initialValues={{ observedAt: dayjs() }}
      pending={record.isPending}
      onSubmit={(values, form) => record.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="status-submit"
    >
      <StatusFields />
    </ModalForm>
  );
}

// A test result holds for 24, 48 or 72 hours from sampling, depending on the rule of the week.
const TEST_VALIDITY_HOURS = [24, 48, 72];

function StatusFields() {
  const { t, i18n } = useTranslation();
  const form = Form.useFormInstance<StatusValues>();
  const kind = Form.useWatch<StatusKind | undefined>('kind');
  const observedAt = Form.useWatch<Dayjs | undefined>('observedAt');
  const presets =
    kind === 'test_result' && observedAt
      ? TEST_VALIDITY_HOURS.map((hours) => ({
          label: t('residents.validFor', { hours }),
          value: observedAt.add(hours, 'hour'),
        }))
      : undefined;

  return (
    <>
      <Form.Item name="kind" label={t('residents.kind')} rules={[{ required: true }]}>
        <Select
          options={STATUS_KINDS.map((value) => ({
            value,
            label: nameIn(i18n.language, STATUS_KIND_NAMES[value]),
          }))}
          // Another kind's value means nothing for this one.
          onChange={() => form.setFieldValue('value', undefined)}
          data-testid="status-kind"
        />
      </Form.Item>
      <Form.Item name="value" label={t('residents.value')} rules={[{ required: true }]}>
        {/* Chosen, never typed: the sampling rule and the counts know these codes only. */}
        <Select
          disabled={!kind}
          placeholder={kind ? undefined : t('residents.kindFirst')}
          options={(kind ? (RECORDABLE_STATUS_VALUES[kind] ?? []) : []).map((value) => ({
            value,
            label: statusValueName(kind as string, value, i18n.language),
          }))}
          data-testid="status-value"
        />
      </Form.Item>
      <Form.Item name="observedAt" label={t('residents.observedAt')} rules={[{ required: true }]}>
        <DateTimeField notAfterToday data-testid="status-observed-at" />
      </Form.Item>
      <Form.Item
        name="validUntil"
        label={t('residents.validUntil')}
        dependencies={['observedAt']}
        rules={[
          ({ getFieldValue }) => ({
            validator: async (_, value: Dayjs | null | undefined) => {
              const from: Dayjs | undefined = getFieldValue('observedAt');
              if (value && from && !value.isAfter(from)) {
                throw new Error(t('residents.validAfterObserved'));
              }
            },
          }),
        ]}
      >
        <DateTimeField presets={presets} data-testid="status-valid-until" />
      </Form.Item>
      <Form.Item
        name="source"
        label={t('residents.statusSource')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input data-testid="status-source" />
      </Form.Item>
    </>
  );
}

interface MoveValues {
  grid: OrgUnitChoice;
  address: string;
}

/** The whole household, every member with it, moves to another grid (a family moving house). */
function MoveHouseholdModal({
  householdId,
  open,
  onClose,
}: {
  householdId: string;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const move = useMutation({
    mutationFn: ({ grid, address }: MoveValues) =>
      api.post(`/households/${householdId}/move`, { gridId: grid.value, address: address.trim() }),
    onSuccess: () => {
      onClose();
      void message.success(t('residents.householdMoved'));
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
      void queryClient.invalidateQueries({ queryKey: ['households'] });
    },
  });
  return (
    <ModalForm<MoveValues>
      open={open}
      title={t('residents.moveHousehold')}
      pending={move.isPending}
      onSubmit={(values, form) => move.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="household-move-submit"
    >
      <Form.Item
        name="grid"
        label={t('residents.grid')}
        rules={[{ required: true, message: t('residents.pickGrid') }]}
      >
        <OrgUnitSelect onlyLevel="grid" placeholder={t('residents.pickGrid')} />
      </Form.Item>
      {/* A household moving grid moves home: the old address would send the next visit astray. */}
      <Form.Item
        name="address"
        label={t('residents.newAddress')}
        extra={t('residents.newAddressHelp')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input maxLength={RESIDENT_ADDRESS_MAX} data-testid="household-move-address" />
      </Form.Item>
    </ModalForm>
  );
}

interface MergeValues {
  duplicate: { value: string; label: string };
}

/** The duplicate is folded into this record, the one the user is looking at, which survives. */
function MergeModal({
  resident,
  open,
  onClose,
}: {
  resident: ResidentDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const merge = useMutation({
    mutationFn: (body: { duplicateId: string; confirmDifferences?: boolean }) =>
      api.post<Resident>(`/residents/${resident.id}/merge`, body),
    onSuccess: () => {
      onClose();
      void message.success(t('residents.merged'));
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
      void queryClient.invalidateQueries({ queryKey: ['households'] });
    },
  });

  return (
    <ModalForm<MergeValues>
      open={open}
      title={t('residents.mergeTitle', { name: resident.name })}
      pending={merge.isPending}
      submitText={t('residents.mergeSubmit')}
      onSubmit={({ duplicate }, form) =>
        modal.confirm({
          title: t('residents.mergeConfirm'),
          content: t('residents.mergeConfirmText', { duplicate: duplicate.label, name: resident.name }),
          okButtonProps: { danger: true },
          onOk: () =>
            merge.mutate(
              { duplicateId: duplicate.value },
              {
                onError: (error) => {
                  // Another name, birth date or sex: perhaps two people (siblings of one name).
                  // Asked once more, with the reason, before what cannot be undone.
                  if (!(error instanceof ApiError) || error.code !== 'RECORDS_DIFFER')
                    return showError(error, form);
                  modal.confirm({
                    title: t('residents.mergeDiffer'),
                    content: error.message,
                    okText: t('residents.mergeAnyway'),
                    okButtonProps: { danger: true },
                    onOk: () =>
                      merge.mutate(
                        { duplicateId: duplicate.value, confirmDifferences: true },
                        { onError: (again) => showError(again, form) },
                      ),
                  });
                },
              },
            ),
        })
      }
      onClose={onClose}
      submitTestId="merge-submit"
    >
      <Form.Item
        name="duplicate"
        label={t('residents.duplicateRecord')}
        extra={t('residents.duplicateHint')}
        rules={[{ required: true }]}
      >
        <ResidentPicker excludeId={resident.id} />
      </Form.Item>
    </ModalForm>
  );
}

/** Finds a resident by the same search as the list (name, pinyin, ID, phone digits, address). */
function ResidentPicker({
  excludeId,
  value,
  onChange,
}: {
  excludeId: string;
  value?: MergeValues['duplicate'];
  onChange?: (value: MergeValues['duplicate']) => void;
}) {
  const [search, setSearch] = useState('');
  const q = search.trim();
  const matches = useQuery({
    queryKey: ['residents', 'list', { q, pageSize: 20 }],
    queryFn: () => api.get<Page<Resident>>('/residents', { q, pageSize: 20 }),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
  const options = (matches.data?.items ?? [])
    .filter((resident) => resident.id !== excludeId)
    .map((resident) => ({
      value: resident.id,
      label: [resident.name, resident.idNumber, resident.gridName].join(' · '),
    }));

  return (
    <Select
      labelInValue
      value={value}
      onChange={onChange}
      options={q === '' ? [] : options}
      loading={matches.isFetching}
      showSearch={{ searchValue: search, onSearch: setSearch, filterOption: false }}
      data-testid="merge-duplicate"
    />
  );
}
