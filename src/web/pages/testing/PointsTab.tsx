import { EnvironmentOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Form, Grid, Input, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { ModalForm } from '../../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../../components/OrgUnitSelect';
import { UserSelect } from '../../components/UserSelect';
import { useShowError } from '../../forms';
import type { CollectionPoint, TestRoundDetail } from '../../testingTypes';
import { useMe } from '../../useMe';

export function PointsTab({ round }: { round: TestRoundDetail }) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const screens = Grid.useBreakpoint();
  const kindTag = (kind: CollectionPoint['kind']) => (
    <Tag color={kind === 'door_to_door' ? 'purple' : 'blue'} style={{ marginInlineEnd: 0 }}>
      {t(`testing.points.kinds.${kind}`)}
    </Tag>
  );
  const samplerTags = (samplers: CollectionPoint['samplers']) =>
    samplers.length === 0 ? (
      <Typography.Text type="secondary">{t('testing.points.anySampler')}</Typography.Text>
    ) : (
      <Flex gap={4} wrap>
        {samplers.map((sampler) => (
          <Tag key={sampler.id} style={{ marginInlineEnd: 0 }}>
            {sampler.displayName || '—'}
          </Tag>
        ))}
      </Flex>
    );
  // On a phone: one card-like cell per point.
  const narrowColumns: TableColumnsType<CollectionPoint> = [
    {
      key: 'point',
      render: (_, point) => (
        <Flex vertical gap={4}>
          <Flex justify="space-between" align="center" gap={8}>
            <Typography.Text strong>{point.name}</Typography.Text>
            {kindTag(point.kind)}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[point.orgUnitName, point.place, point.hours].filter(Boolean).join(' · ')}
          </Typography.Text>
          <Flex gap={8} align="center" style={{ fontSize: 12 }}>
            <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
              {t('testing.points.samplers')}
            </Typography.Text>
            {samplerTags(point.samplers)}
          </Flex>
        </Flex>
      ),
    },
  ];

  const columns: TableColumnsType<CollectionPoint> = [
    {
      title: t('testing.points.name'),
      dataIndex: 'name',
      render: (name: string, point) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{name}</Typography.Text>
          {point.place && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <EnvironmentOutlined /> {point.place}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: t('testing.points.kind'),
      dataIndex: 'kind',
      render: kindTag,
    },
    {
      title: t('testing.points.unit'),
      dataIndex: 'orgUnitName',
      render: (name: string | null) => name ?? '—',
    },
    { title: t('testing.points.hours'), dataIndex: 'hours', render: (hours: string | null) => hours ?? '—' },
    {
      title: t('testing.points.samplers'),
      dataIndex: 'samplers',
      render: samplerTags,
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">
          {t('testing.points.count', { count: round.points.length })}
        </Typography.Text>
        {round.actions.manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setAdding(true)}
            data-testid="point-create"
          >
            {t('testing.points.create')}
          </Button>
        )}
      </Flex>
      <Table<CollectionPoint>
        rowKey="id"
        size="small"
        columns={screens.sm ? columns : narrowColumns}
        showHeader={Boolean(screens.sm)}
        dataSource={round.points}
        scroll={screens.sm ? { x: 'max-content' } : undefined}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t('testing.points.none') }}
        data-testid="point-table"
      />
      <PointModal round={round} open={adding} onClose={() => setAdding(false)} />
    </Flex>
  );
}

interface PointValues {
  name: string;
  orgUnit: OrgUnitChoice;
  place?: string;
  hours?: string;
  samplerUserIds?: string[];
}

function PointModal({
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
  const { can } = useMe();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const add = useMutation({
    mutationFn: (values: PointValues) =>
      api.post<CollectionPoint>(`/test-rounds/${round.id}/points`, {
        name: values.name.trim(),
        orgUnitId: values.orgUnit.value,
        place: values.place?.trim() || null,
        hours: values.hours?.trim() || null,
        samplerUserIds: values.samplerUserIds ?? [],
      }),
    onSuccess: () => {
      onClose();
      void message.success(t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['test-rounds', 'detail', round.id] });
    },
  });
  return (
    <ModalForm<PointValues>
      open={open}
      title={t('testing.points.create')}
      initialValues={{
        orgUnit: round.orgUnitName ? { value: round.orgUnitId, label: round.orgUnitName } : undefined,
        hours: '07:00-11:30, 14:30-18:00',
      }}
      pending={add.isPending}
      onSubmit={(values, form) => add.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="point-submit"
    >
      <Form.Item
        name="name"
        label={t('testing.points.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input placeholder={t('testing.points.namePlaceholder')} data-testid="point-name" />
      </Form.Item>
      <Form.Item
        name="orgUnit"
        label={t('testing.points.unit')}
        extra={t('testing.points.unitHint')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        <OrgUnitSelect data-testid="point-unit" />
      </Form.Item>
      <Form.Item name="place" label={t('testing.points.place')} rules={[{ max: 200 }]}>
        <Input placeholder={t('testing.points.placePlaceholder')} data-testid="point-place" />
      </Form.Item>
      <Form.Item name="hours" label={t('testing.points.hours')} rules={[{ max: 100 }]}>
        <Input data-testid="point-hours" />
      </Form.Item>
      {/* Choosing people needs the user list; without it a point takes any sampler of its area. */}
      {can('user.read') && (
        <Form.Item
          name="samplerUserIds"
          label={t('testing.points.samplers')}
          extra={t('testing.points.samplersHint')}
        >
          <UserSelect data-testid="point-samplers" />
        </Form.Item>
      )}
    </ModalForm>
  );
}
