import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Grid,
  Input,
  Row,
  Select,
  Table,
  type TableColumnsType,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_ACTION_NAMES, AUDIT_ENTITY_NAMES } from '../../domain/audit';
import { fieldLabel } from '../../domain/field-names';
import { clauses, isEnglish, labelled, noted, phrased } from '../../domain/language';
import { RESIDENCE_STATUS_NAMES } from '../../domain/residents';
import {
  EXEMPTION_REASON_NAMES,
  SAMPLING_MODE_NAMES,
  TEST_RESULT_NAMES,
  TUBE_STATE_NAMES,
} from '../../domain/testing';
import { api } from '../api';
import { formatTimeSeconds } from '../format';
import { nameIn } from '../i18n';
import type { AuditEvent, Page } from '../types';

interface FilterValues {
  actor?: string;
  action?: string;
  entity?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

interface Filters {
  actor?: string;
  action?: string;
  entity?: string;
  from?: string;
  to?: string;
}

// The picker chooses days; the API takes instants: the whole first day through the whole last day.
const toFilters = ({ actor, action, entity, range }: FilterValues): Filters => ({
  actor: actor?.trim(),
  action: action?.trim(),
  entity: entity?.trim(),
  from: range?.[0]?.startOf('day').toISOString(),
  to: range?.[1]?.endOf('day').toISOString(),
});

/** A code's name in the page's language; a code not named (an older release's) as itself. */
function useNameOf() {
  const { i18n } = useTranslation();
  return (names: Record<string, { zh: string; en: string }>, code: string) => {
    const name = names[code];
    return name ? nameIn(i18n.language, name) : code;
  };
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const nameOf = useNameOf();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);

  const events = useQuery({
    queryKey: ['audit-events', { ...filters, page, pageSize }],
    queryFn: () => api.get<Page<AuditEvent>>('/audit-events', { ...filters, page, pageSize }),
    placeholderData: keepPreviousData,
  });

  const applyFilters = (values: FilterValues) => {
    setFilters(toFilters(values));
    setPage(1);
  };

  const columns: TableColumnsType<AuditEvent> = [
    { title: t('audit.at'), dataIndex: 'at', render: formatTimeSeconds, width: 170 },
    {
      title: t('audit.actor'),
      dataIndex: 'actorName',
      render: (name: string | null) => name ?? t('audit.system'),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      // The name people read; the code (what filters and exports use) beneath it.
      render: (action: string) => (
        <Flex vertical>
          <Typography.Text>{nameOf(AUDIT_ACTION_NAMES, action)}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {action}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('audit.subject'),
      dataIndex: 'entity',
      // A long work-item title kept to its column (whole on hover), not pushing the IP off a desk.
      width: 380,
      render: (_, event) => <Subject event={event} oneLine />,
    },
    { title: t('audit.ip'), dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
  ];
  // A phone has room for one column: when and who, what was done, to what.
  const narrowColumns: TableColumnsType<AuditEvent> = [
    {
      title: t('audit.action'),
      key: 'event',
      render: (_, event) => (
        <Flex vertical gap={2} style={{ minWidth: 0 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatTimeSeconds(event.at)} · {event.actorName ?? t('audit.system')}
          </Typography.Text>
          <Typography.Text strong>{nameOf(AUDIT_ACTION_NAMES, event.action)}</Typography.Text>
          <Subject event={event} />
        </Flex>
      ),
    },
  ];

  return (
    <Card title={t('nav.audit')}>
      <Form<FilterValues> form={form} layout="vertical" onFinish={applyFilters}>
        <Row gutter={16}>
          <Col xs={24} sm={12} lg={5}>
            <Form.Item name="actor" label={t('audit.actor')}>
              <Input allowClear data-testid="audit-actor" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={5}>
            <Form.Item name="action" label={t('audit.action')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={Object.keys(AUDIT_ACTION_NAMES).map((code) => ({
                  value: code,
                  label: noted(nameOf(AUDIT_ACTION_NAMES, code), code, i18n.language),
                }))}
                data-testid="audit-action"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={5}>
            <Form.Item name="entity" label={t('audit.entity')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={Object.keys(AUDIT_ENTITY_NAMES).map((code) => ({
                  value: code,
                  label: nameOf(AUDIT_ENTITY_NAMES, code),
                }))}
                data-testid="audit-entity"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={9}>
            <Form.Item name="range" label={t('audit.range')}>
              <DatePicker.RangePicker allowEmpty={[true, true]} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Flex gap={8} style={{ marginBottom: 16 }}>
          <Button type="primary" htmlType="submit" data-testid="audit-search">
            {t('common.search')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              applyFilters({});
            }}
          >
            {t('common.reset')}
          </Button>
        </Flex>
      </Form>
      {events.error && (
        <Alert type="error" showIcon title={events.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<AuditEvent>
        rowKey="id"
        size="middle"
        columns={screens.md ? columns : narrowColumns}
        showHeader={Boolean(screens.md)}
        dataSource={events.data?.items}
        loading={events.isFetching}
        scroll={screens.md ? { x: 'max-content' } : undefined}
        expandable={{
          rowExpandable: (event) => event.changes !== null && event.changes !== undefined,
          expandedRowRender: (event) => <Changes changes={event.changes} />,
        }}
        pagination={{
          current: page,
          pageSize,
          total: events.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (nextPage, nextPageSize) => {
            setPage(nextPage);
            setPageSize(nextPageSize);
          },
        }}
      />
    </Card>
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Codes the log's values hold (a sampling mode, a result, a tube's state…), by their names. */
const VALUE_NAMES: Record<string, { zh: string; en: string }> = {
  ...RESIDENCE_STATUS_NAMES,
  ...EXEMPTION_REASON_NAMES,
  ...SAMPLING_MODE_NAMES,
  ...TUBE_STATE_NAMES,
  ...TEST_RESULT_NAMES,
};
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A field's name in the page's language; a field not named as its key (nothing recorded is hidden). */
const fieldName = (field: string, language: string) => fieldLabel(field, language) ?? field;

/**
 * A recorded value as its reader understands it: a code by its name, an instant in local time,
 * nothing as "—", yes/no in words; records and lists (a file's results) the same way inside.
 */
const readable = (value: unknown, language: string): string => {
  if (value === undefined) return '∅';
  if (value === null || value === '') return '—';
  if (typeof value === 'boolean') return isEnglish(language) ? (value ? 'yes' : 'no') : value ? '是' : '否';
  if (typeof value === 'string') {
    const name = VALUE_NAMES[value];
    if (name) return nameIn(language, name);
    if (INSTANT.test(value)) return formatTimeSeconds(value);
    return value;
  }
  if (Array.isArray(value))
    return clauses(
      value.map((v) => readable(v, language)),
      language,
    );
  if (isRecord(value))
    return phrased(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${fieldName(k, language)} ${readable(v, language)}`),
      language,
    );
  return String(value);
};

/** What an event is about: its kind, and the record by name (its id beneath, to copy). */
function Subject({ event, oneLine = false }: { event: AuditEvent; oneLine?: boolean }) {
  const nameOf = useNameOf();
  const { i18n } = useTranslation();
  const kind = nameOf(AUDIT_ENTITY_NAMES, event.entity);
  const said = event.entityName ? labelled(kind, event.entityName, i18n.language) : kind;
  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <Typography.Text
        ellipsis={oneLine ? { tooltip: said } : false}
        // The ellipsis needs a width to cut at: a table sized to its content gives it none.
        style={oneLine ? { maxWidth: 360 } : undefined}
      >
        {said}
      </Typography.Text>
      {event.entityId && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: event.entityId }}>
          {event.entityId.slice(-12)}
        </Typography.Text>
      )}
    </Flex>
  );
}

/**
 * The server records `{field: {from, to}}` (no `from` on a create, no `to` on a delete): one line
 * per field, `field: from → to`. Anything else is shown as its JSON, so nothing recorded is hidden.
 */
function Changes({ changes }: { changes: unknown }) {
  const { i18n } = useTranslation();
  const style = { margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 } as const;
  const entries = isRecord(changes) ? Object.entries(changes) : [];
  if (entries.length === 0 || !entries.every(([, change]) => isRecord(change))) {
    return <pre style={style}>{JSON.stringify(changes, null, 2)}</pre>;
  }
  return (
    <pre style={style} data-testid="audit-changes">
      {(entries as [string, { from?: unknown; to?: unknown }][])
        // The fields an unmask showed are named as fields (手机号, not phone).
        .map(([field, change]): [string, { from?: unknown; to?: unknown }] =>
          field === 'fields' && Array.isArray(change.to)
            ? [field, { ...change, to: change.to.map((f) => fieldName(String(f), i18n.language)) }]
            : [field, change],
        )
        .map(([field, change]) =>
          // Created: the value alone; removed: what it was; changed: from → to.
          change.from === undefined
            ? labelled(fieldName(field, i18n.language), readable(change.to, i18n.language), i18n.language)
            : change.to === undefined
              ? labelled(
                  fieldName(field, i18n.language),
                  `${readable(change.from, i18n.language)} → ∅`,
                  i18n.language,
                )
              : labelled(
                  fieldName(field, i18n.language),
                  `${readable(change.from, i18n.language)} → ${readable(change.to, i18n.language)}`,
                  i18n.language,
                ),
        )
        .join('\n')}
    </pre>
  );
}
