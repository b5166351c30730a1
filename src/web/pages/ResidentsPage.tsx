import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Grid,
  Input,
  Row,
  Select,
  Spin,
  Statistic,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
  Tree,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { RESIDENCE_STATUS_NAMES, RESIDENCE_STATUSES, type ResidenceStatus } from '../../domain/residents';
import { api } from '../api';
import { type OrgUnitChoice, OrgUnitSelect } from '../components/OrgUnitSelect';
import { ResidenceStatusTag } from '../components/ResidenceStatusTag';
import { ResidentFormModal } from '../components/ResidentFormModal';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { healthQuery, keyGroupsQuery } from '../queries';
import type { Household, KeyGroup, Page, Resident, ResidentCounts } from '../types';
import { useMe } from '../useMe';
import { useOrgTree } from '../useOrgTree';

// The filters live in the address, so the list a user opened a resident from is still there when
// they come back, and a filtered list can be bookmarked or sent to a colleague. The unit's name
// travels with its id: the unit may sit deep in a tree level that is not loaded.
const FILTERS = ['q', 'orgUnitId', 'orgUnitName', 'residenceStatus', 'keyGroup'] as const;
type FilterName = (typeof FILTERS)[number];
type Filters = Partial<Record<FilterName, string>>;
type ParamChanges = Partial<Record<FilterName | 'view' | 'page' | 'pageSize', string | number | undefined>>;
// The residents list is the default view and leaves no `view` in the address.
type View = 'residents' | 'households';

const readFilters = (params: URLSearchParams): Filters =>
  Object.fromEntries(FILTERS.flatMap((name) => (params.has(name) ? [[name, params.get(name)]] : [])));

/** What the list, the counts and the export send: the unit's name is only for the screen. */
const apiFilters = ({ orgUnitName: _, ...filters }: Filters) => filters;

export function ResidentsPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const screens = Grid.useBreakpoint();
  const showError = useShowError();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [unmasked, setUnmasked] = useState(false);

  const filters = readFilters(params);
  const view: View = params.get('view') === 'households' ? 'households' : 'residents';
  const page = Number(params.get('page')) || 1;
  const pageSize = Number(params.get('pageSize')) || 20;
  // The box holds what is being typed; the address holds what was searched. When the address
  // changes under it (the menu entry opens a fresh list), the box follows.
  const [search, setSearch] = useState(filters.q ?? '');
  const [searched, setSearched] = useState(filters.q);
  if (filters.q !== searched) {
    setSearched(filters.q);
    setSearch(filters.q ?? '');
  }

  // Replacing rather than pushing: Back leaves the list instead of undoing each filter.
  const change = (changes: ParamChanges) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(changes)) {
          if (value === undefined || value === '') next.delete(name);
          else next.set(name, String(value));
        }
        return next;
      },
      { replace: true },
    );
  // Another filter means another list: back to its first page.
  const filter = (changes: Partial<Filters>) => change({ ...changes, page: undefined });

  const health = useQuery(healthQuery);
  const keyGroups = useQuery(keyGroupsQuery);
  const residents = useQuery({
    queryKey: ['residents', 'list', { ...apiFilters(filters), page, pageSize }],
    queryFn: () => api.get<Page<Resident>>('/residents', { ...apiFilters(filters), page, pageSize }),
    placeholderData: keepPreviousData,
    enabled: view === 'residents',
  });
  const counts = useQuery({
    queryKey: ['residents', 'counts', filters.orgUnitId ?? 'all'],
    queryFn: () => api.get<ResidentCounts>('/residents/counts', { orgUnitId: filters.orgUnitId }),
    placeholderData: keepPreviousData,
  });

  const exportList = useMutation({
    mutationFn: () =>
      api.download('/residents/export.xlsx', { ...apiFilters(filters), unmasked: unmasked || undefined }),
    onError: (error) => showError(error),
  });

  const statusName = (status: ResidenceStatus) => nameIn(i18n.language, RESIDENCE_STATUS_NAMES[status]);
  const chosenUnit =
    filters.orgUnitId && filters.orgUnitName
      ? { value: filters.orgUnitId, label: filters.orgUnitName }
      : undefined;
  const pickUnit = (unit?: OrgUnitChoice) => filter({ orgUnitId: unit?.value, orgUnitName: unit?.label });
  // Households have no key groups: choosing one from the counts shows the residents it counted.
  const pickKeyGroup = (keyGroup?: string) => change({ keyGroup, view: undefined, page: undefined });
  // Below lg the tree would leave the table too narrow: the unit becomes a select above it.
  const wide = Boolean(screens.lg);

  const columns: TableColumnsType<Resident> = [
    {
      title: t('residents.name'),
      dataIndex: 'name',
      fixed: 'left',
      render: (name: string, resident) => (
        <Link to={`/residents/${resident.id}`} data-testid={`resident-link-${resident.id}`}>
          {name}
        </Link>
      ),
    },
    { title: t('residents.idNumber'), dataIndex: 'idNumber' },
    { title: t('residents.phone'), dataIndex: 'phone', render: (phone: string | null) => phone ?? '—' },
    {
      title: t('residents.sex'),
      dataIndex: 'sex',
      render: (sex: Resident['sex']) => (sex ? t(`residents.sexes.${sex}`) : '—'),
    },
    {
      title: t('residents.age'),
      dataIndex: 'age',
      render: (age: number | null) => age ?? '—',
    },
    { title: t('residents.grid'), dataIndex: 'gridName' },
    { title: t('residents.address'), dataIndex: 'address', ellipsis: true, width: 220 },
    {
      title: t('residents.residenceStatus'),
      dataIndex: 'residenceStatus',
      render: (status: Resident['residenceStatus']) => <ResidenceStatusTag status={status} />,
    },
    {
      title: t('residents.keyGroups'),
      dataIndex: 'keyGroups',
      render: (groups: Resident['keyGroups']) => (
        <Flex gap={4} wrap>
          {groups.map((group) => (
            <Tag key={group.code}>{group.name}</Tag>
          ))}
        </Flex>
      ),
    },
  ];

  const list = (
    <Card title={t('residents.title')}>
      {health.data?.demo && (
        <Alert
          type="info"
          showIcon
          title={t('residents.demo')}
          style={{ marginBottom: 16 }}
          data-testid="demo-banner"
        />
      )}
      <Counts
        counts={counts.data}
        title={
          filters.orgUnitName
            ? t('residents.countsOf', { unit: filters.orgUnitName })
            : t('residents.countsAll')
        }
        statusName={statusName}
        keyGroups={keyGroups.data?.items}
        keyGroup={filters.keyGroup}
        onKeyGroup={pickKeyGroup}
      />
      <Tabs
        activeKey={view}
        // Both views page through the same `page` parameter: another view starts on its first page.
        onChange={(key) => change({ view: key === 'households' ? key : undefined, page: undefined })}
        items={[
          { key: 'residents', label: t('residents.residentsTab') },
          {
            key: 'households',
            label: <span data-testid="residents-tab-households">{t('residents.households')}</span>,
          },
        ]}
      />
      <Flex gap={8} wrap style={{ marginBottom: 16 }}>
        {!wide && (
          <div style={{ flex: '1 1 100%' }}>
            <OrgUnitSelect
              value={chosenUnit}
              onChange={pickUnit}
              allowClear
              placeholder={t('residents.allUnits')}
              data-testid="resident-unit"
            />
          </div>
        )}
        <Input.Search
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          allowClear
          placeholder={t(view === 'households' ? 'residents.householdsSearch' : 'residents.search')}
          onSearch={(value) => filter({ q: value.trim() })}
          style={{ flex: '2 1 260px' }}
          data-testid="resident-search"
        />
        {/* A household has neither a residence status nor key groups of its own. */}
        {view === 'residents' && (
          <>
            <Select
              allowClear
              value={filters.residenceStatus}
              onChange={(residenceStatus?: string) => filter({ residenceStatus })}
              placeholder={t('residents.allStatuses')}
              options={RESIDENCE_STATUSES.map((status) => ({ value: status, label: statusName(status) }))}
              style={{ flex: '1 1 150px' }}
              data-testid="resident-filter-status"
            />
            <Select
              allowClear
              value={filters.keyGroup}
              onChange={(keyGroup?: string) => filter({ keyGroup })}
              placeholder={t('residents.allKeyGroups')}
              loading={keyGroups.isPending}
              options={(keyGroups.data?.items ?? []).map((group) => ({
                value: group.code,
                label: group.name,
              }))}
              showSearch={{ optionFilterProp: 'label' }}
              style={{ flex: '1 1 150px' }}
              data-testid="resident-filter-key-group"
            />
          </>
        )}
      </Flex>
      {view === 'households' ? (
        <HouseholdsTable
          gridId={filters.orgUnitId}
          q={filters.q}
          page={page}
          pageSize={pageSize}
          onPage={(nextPage, nextPageSize) => change({ page: nextPage, pageSize: nextPageSize })}
        />
      ) : (
        <>
          <Flex gap={8} wrap align="center" style={{ marginBottom: 16 }}>
            {can('resident.write') && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setCreating(true)}
                data-testid="resident-create"
              >
                {t('residents.create')}
              </Button>
            )}
            {can('resident.import') && (
              <Button
                icon={<UploadOutlined />}
                onClick={() => navigate('/residents/import')}
                data-testid="resident-import"
              >
                {t('residents.import')}
              </Button>
            )}
            <Button
              icon={<DownloadOutlined />}
              loading={exportList.isPending}
              onClick={() => exportList.mutate()}
              data-testid="resident-export"
            >
              {t('residents.export')}
            </Button>
            {/* Exports are masked unless the user may have them in full and asks (every export is audited). */}
            {can('personal.export') && (
              <Checkbox
                checked={unmasked}
                onChange={(event) => setUnmasked(event.target.checked)}
                data-testid="resident-export-unmasked"
              >
                {t('residents.exportUnmasked')}
              </Checkbox>
            )}
          </Flex>
          {residents.error && (
            <Alert type="error" showIcon title={residents.error.message} style={{ marginBottom: 16 }} />
          )}
          <Table<Resident>
            rowKey="id"
            columns={columns}
            dataSource={residents.data?.items}
            loading={residents.isFetching}
            scroll={{ x: 'max-content' }}
            data-testid="resident-table"
            pagination={{
              current: page,
              pageSize,
              total: residents.data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (total) => t('common.total', { total }),
              onChange: (nextPage, nextPageSize) => change({ page: nextPage, pageSize: nextPageSize }),
            }}
          />
        </>
      )}
      <ResidentFormModal open={creating} onClose={() => setCreating(false)} />
    </Card>
  );

  if (!wide) return list;
  return (
    <Row gutter={16} wrap={false}>
      <Col flex="260px" style={{ minWidth: 0 }}>
        <UnitTree selectedId={filters.orgUnitId} onSelect={pickUnit} />
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        {list}
      </Col>
    </Row>
  );
}

function UnitTree({
  selectedId,
  onSelect,
}: {
  selectedId?: string;
  onSelect: (unit?: OrgUnitChoice) => void;
}) {
  const { t } = useTranslation();
  const { treeData, loadChildren, isPending, error } = useOrgTree();
  return (
    <Card title={t('residents.units')} styles={{ body: { padding: 12 } }}>
      {error && <Alert type="error" showIcon title={error.message} />}
      {isPending ? (
        <Spin />
      ) : (
        <Tree
          treeData={treeData}
          loadData={(node) => loadChildren(String(node.key))}
          selectedKeys={selectedId ? [selectedId] : []}
          // Clicking the chosen unit again un-chooses it: the whole of the user's area again.
          onSelect={(_, { node, selected }) =>
            onSelect(selected ? { value: String(node.key), label: String(node.title) } : undefined)
          }
          blockNode
          data-testid="resident-unit-tree"
        />
      )}
    </Card>
  );
}

function Counts({
  counts,
  title,
  statusName,
  keyGroups,
  keyGroup,
  onKeyGroup,
}: {
  counts?: ResidentCounts;
  title: string;
  statusName: (status: ResidenceStatus) => string;
  keyGroups?: KeyGroup[];
  keyGroup?: string;
  onKeyGroup: (keyGroup?: string) => void;
}) {
  const { t } = useTranslation();
  const groupNames = new Map(keyGroups?.map((group) => [group.code, group.name]));
  // Only the groups present here, largest first: the list of classes is long and mostly empty in a grid.
  // A class missing from the list (retired since) still shows, by its code.
  const groupCounts = Object.entries(counts?.byKeyGroup ?? {})
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a);
  const items = [
    { key: 'total', title: t('residents.total'), value: counts?.total },
    ...RESIDENCE_STATUSES.map((status) => ({
      key: status,
      title: statusName(status),
      value: counts && (counts.byResidenceStatus[status] ?? 0),
    })),
  ];
  return (
    <Card type="inner" size="small" title={title} style={{ marginBottom: 16 }} data-testid="resident-counts">
      <Row gutter={[16, 8]}>
        {items.map(({ key, title: itemTitle, value }) => (
          <Col key={key} xs={8} sm={6} xl={3}>
            <Statistic
              title={itemTitle}
              value={value ?? '—'}
              styles={{ content: { fontSize: 20 } }}
              data-testid={`resident-count-${key}`}
            />
          </Col>
        ))}
      </Row>
      {groupCounts.length > 0 && (
        <Flex gap={4} wrap align="center" style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t('residents.keyGroups')}</Typography.Text>
          {groupCounts.map(([code, n]) => (
            // Choosing the chosen group again clears the filter.
            <Tag.CheckableTag
              key={code}
              checked={keyGroup === code}
              onChange={(checked) => onKeyGroup(checked ? code : undefined)}
              data-testid={`resident-count-key-group-${code}`}
            >
              {groupNames.get(code) ?? code} {n}
            </Tag.CheckableTag>
          ))}
        </Flex>
      )}
    </Card>
  );
}

/** The households under the chosen unit (its whole subtree), each opening onto its members. */
function HouseholdsTable({
  gridId,
  q,
  page,
  pageSize,
  onPage,
}: {
  gridId?: string;
  q?: string;
  page: number;
  pageSize: number;
  onPage: (page: number, pageSize: number) => void;
}) {
  const { t } = useTranslation();
  const households = useQuery({
    queryKey: ['households', { gridId, q, page, pageSize }],
    queryFn: () => api.get<Page<Household>>('/households', { gridId, q, page, pageSize }),
    placeholderData: keepPreviousData,
  });
  const columns: TableColumnsType<Household> = [
    { title: t('residents.address'), dataIndex: 'address' },
    { title: t('residents.grid'), dataIndex: 'gridName' },
    { title: t('residents.memberCount'), dataIndex: 'memberCount', align: 'right' },
  ];
  return (
    <>
      {households.error && (
        <Alert type="error" showIcon title={households.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<Household>
        rowKey="id"
        columns={columns}
        dataSource={households.data?.items}
        loading={households.isFetching}
        scroll={{ x: 'max-content' }}
        expandable={{
          expandedRowRender: (household) => <HouseholdMembers householdId={household.id} />,
          expandRowByClick: true,
        }}
        data-testid="households-table"
        pagination={{
          current: page,
          pageSize,
          total: households.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: onPage,
        }}
      />
    </>
  );
}

/** Fetched when the row opens, so a page of households costs one call and not one per household. */
function HouseholdMembers({ householdId }: { householdId: string }) {
  const { t } = useTranslation();
  // Under 'residents' so a change to any resident refreshes it with the lists.
  const members = useQuery({
    queryKey: ['residents', 'list', { householdId, pageSize: 50 }],
    queryFn: () => api.get<Page<Resident>>('/residents', { householdId, pageSize: 50 }),
  });
  if (members.isPending) return <Spin size="small" />;
  if (members.error) return <Alert type="error" showIcon title={members.error.message} />;
  if (members.data.items.length === 0)
    return <Typography.Text type="secondary">{t('residents.noMembers')}</Typography.Text>;
  return (
    <Flex vertical gap={8} data-testid={`household-members-${householdId}`}>
      {members.data.items.map((member) => (
        <Flex key={member.id} gap={8} align="center" wrap>
          <Link to={`/residents/${member.id}`} data-testid={`resident-link-${member.id}`}>
            {member.name}
          </Link>
          <Typography.Text type="secondary">{member.idNumber}</Typography.Text>
          <ResidenceStatusTag status={member.residenceStatus} />
        </Flex>
      ))}
    </Flex>
  );
}
