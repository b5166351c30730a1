import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Flex,
  Form,
  Grid,
  Input,
  Select,
  Table,
  type TableColumnsType,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { localDay } from '../../domain/dates';
import { SAMPLING_MODE_NAMES, SAMPLING_MODES, type SamplingMode } from '../../domain/testing';
import { api } from '../api';
import { ModalForm } from '../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../components/OrgUnitSelect';
import { RoundPeriodTag } from '../components/testing/RoundPeriodTag';
import { DATE_FORMAT } from '../format';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { keyGroupsQuery } from '../queries';
import { roundsQuery, type TestRound } from '../testingTypes';
import { useMe } from '../useMe';

export function TestingRoundsPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const rounds = useQuery({ ...roundsQuery(page, pageSize), placeholderData: keepPreviousData });
  const screens = Grid.useBreakpoint();
  const modeName = (mode: SamplingMode) => nameIn(i18n.language, SAMPLING_MODE_NAMES[mode]);
  const datesOf = (round: TestRound) =>
    round.startsOn === round.endsOn ? round.startsOn : `${round.startsOn} ~ ${round.endsOn}`;
  const nameLink = (round: TestRound) => (
    <Link to={`/testing/${round.id}`} data-testid={`round-link-${round.id}`}>
      {round.name}
    </Link>
  );

  // A phone has room for one column: the round, and what it covers when, under its name.
  const narrowColumns: TableColumnsType<TestRound> = [
    {
      key: 'round',
      render: (_, round) => (
        <Flex vertical gap={2}>
          <Flex justify="space-between" align="center" gap={8}>
            {nameLink(round)}
            <RoundPeriodTag round={round} />
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[round.orgUnitName, datesOf(round), modeName(round.defaultMode)].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
  ];

  const columns: TableColumnsType<TestRound> = [
    {
      title: t('testing.round.name'),
      dataIndex: 'name',
      render: (_, round) => nameLink(round),
    },
    {
      title: t('testing.round.period'),
      key: 'period',
      render: (_, round) => <RoundPeriodTag round={round} />,
    },
    {
      title: t('testing.round.unit'),
      dataIndex: 'orgUnitName',
      render: (name: string | null) => name ?? '—',
    },
    {
      title: t('testing.round.dates'),
      key: 'dates',
      render: (_, round) => datesOf(round),
    },
    {
      title: t('testing.round.defaultMode'),
      dataIndex: 'defaultMode',
      render: modeName,
    },
  ];

  return (
    <Card
      title={t('testing.rounds')}
      extra={
        can('testing.manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="round-create"
          >
            {t('testing.round.create')}
          </Button>
        )
      }
    >
      {rounds.error && (
        <Alert type="error" showIcon title={rounds.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<TestRound>
        rowKey="id"
        columns={screens.sm ? columns : narrowColumns}
        showHeader={Boolean(screens.sm)}
        dataSource={rounds.data?.items}
        loading={rounds.isFetching}
        scroll={screens.sm ? { x: 'max-content' } : undefined}
        locale={{ emptyText: t('testing.round.none') }}
        data-testid="round-table"
        pagination={{
          current: page,
          pageSize,
          total: rounds.data?.total ?? 0,
          hideOnSinglePage: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (nextPage, nextPageSize) => {
            setPage(nextPage);
            setPageSize(nextPageSize);
          },
        }}
      />
      <RoundModal
        open={creating}
        nextNumber={nextRoundNumber(rounds.data?.items ?? [], rounds.data?.total ?? 0)}
        onClose={() => setCreating(false)}
      />
    </Card>
  );
}

/** The next 第N轮 after the highest one named so far (rounds are often numbered district-wide). */
function nextRoundNumber(rounds: { name: string }[], total: number) {
  const numbers = rounds.map((round) => Number(/第\s*(\d+)\s*轮/.exec(round.name)?.[1] ?? 0));
  return Math.max(total, ...numbers) + 1;
}

interface RoundValues {
  name: string;
  orgUnit: OrgUnitChoice;
  startsOn: Dayjs;
  endsOn: Dayjs;
  defaultMode: SamplingMode;
  singleTubeKeyGroups?: string[];
}

function RoundModal({
  open,
  nextNumber,
  onClose,
}: {
  open: boolean;
  nextNumber: number;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const showError = useShowError();
  const { session } = useMe();
  const keyGroups = useQuery({ ...keyGroupsQuery, enabled: open });
  // Most users organise rounds for the one unit they are granted: start from it.
  const grant = session?.grants[0];
  const create = useMutation({
    mutationFn: (values: RoundValues) =>
      api.post<TestRound>('/test-rounds', {
        name: values.name.trim(),
        orgUnitId: values.orgUnit.value,
        startsOn: values.startsOn.format(DATE_FORMAT),
        endsOn: values.endsOn.format(DATE_FORMAT),
        defaultMode: values.defaultMode,
        singleTubeKeyGroups: values.singleTubeKeyGroups ?? [],
      }),
    onSuccess: (round) => {
      onClose();
      void message.success(t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['test-rounds'] });
      navigate(`/testing/${round.id}`);
    },
  });

  return (
    <ModalForm<RoundValues>
      open={open}
      title={t('testing.round.create')}
      initialValues={{
        name: t('testing.round.defaultName', { n: nextNumber }),
        orgUnit: grant ? { value: grant.orgUnitId, label: grant.orgUnitName } : undefined,
        // The district's day (周口), whatever the clock of the browser says.
        startsOn: dayjs(localDay()),
        endsOn: dayjs(localDay()),
        defaultMode: 'mix10',
      }}
      pending={create.isPending}
      onSubmit={(values, form) => create.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="round-submit"
    >
      <Form.Item
        name="name"
        label={t('testing.round.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input data-testid="round-name" />
      </Form.Item>
      <Form.Item
        name="orgUnit"
        label={t('testing.round.unit')}
        extra={t('testing.round.unitHint')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        <OrgUnitSelect data-testid="round-unit" />
      </Form.Item>
      <Flex gap={12}>
        <Form.Item
          name="startsOn"
          label={t('testing.round.startsOn')}
          rules={[{ required: true }]}
          style={{ flex: 1 }}
        >
          <DatePicker style={{ width: '100%' }} data-testid="round-starts-on" />
        </Form.Item>
        <Form.Item
          name="endsOn"
          label={t('testing.round.endsOn')}
          dependencies={['startsOn']}
          style={{ flex: 1 }}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: async (_, value: Dayjs | undefined) => {
                const from: Dayjs | undefined = getFieldValue('startsOn');
                if (value && from && value.isBefore(from, 'day'))
                  throw new Error(t('testing.round.endBeforeStart'));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} data-testid="round-ends-on" />
        </Form.Item>
      </Flex>
      <Form.Item
        name="defaultMode"
        label={t('testing.round.defaultMode')}
        extra={t('testing.round.modeHint')}
        rules={[{ required: true }]}
      >
        <Select
          options={SAMPLING_MODES.map((mode) => ({
            value: mode,
            label: nameIn(i18n.language, SAMPLING_MODE_NAMES[mode]),
          }))}
          data-testid="round-mode"
        />
      </Form.Item>
      <Form.Item
        name="singleTubeKeyGroups"
        label={t('testing.round.singleTubeKeyGroups')}
        extra={t('testing.round.singleTubeHint')}
      >
        <Select
          mode="multiple"
          allowClear
          loading={keyGroups.isPending}
          options={(keyGroups.data?.items ?? [])
            .filter((group) => group.active)
            .map((group) => ({ value: group.code, label: group.name }))}
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('testing.round.noSingleTubeGroups')}
          data-testid="round-key-groups"
        />
      </Form.Item>
    </ModalForm>
  );
}
