import { EditOutlined, EnvironmentOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Form, Grid, Input, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { phrased } from '../../../domain/language';
import { api } from '../../api';
import { ModalForm } from '../../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../../components/OrgUnitSelect';
import { TeamField } from '../../components/testing/TeamField';
import { useShowError } from '../../forms';
import type { CollectionPoint, TestRoundDetail } from '../../testingTypes';
import { touchSize } from '../../touch';

export function PointsTab({ round }: { round: TestRoundDetail }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  // A new point (null), or the point being changed.
  const [editing, setEditing] = useState<CollectionPoint | null>();
  const screens = Grid.useBreakpoint();
  // Points are set up by who organises a part of the round, each changed by who organises its place.
  const organise = round.actions.organise && !round.cancelledAt;
  const setClosed = useMutation({
    mutationFn: ({ point, closed }: { point: CollectionPoint; closed: boolean }) =>
      api.patch<CollectionPoint>(`/test-rounds/${round.id}/points/${point.id}`, { closed }),
    onSuccess: (point) => {
      void message.success(
        t(point.closedAt ? 'testing.points.closedDone' : 'testing.points.reopened', { name: point.name }),
      );
      void queryClient.invalidateQueries({ queryKey: ['test-rounds', 'detail', round.id] });
    },
    onError: (error) => showError(error),
  });
  const askToClose = (point: CollectionPoint) =>
    modal.confirm({
      title: t('testing.points.closeConfirm', { name: point.name }),
      okText: t('testing.points.close'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => setClosed.mutateAsync({ point, closed: true }),
    });
  const kindTag = (kind: CollectionPoint['kind']) => (
    <Tag color={kind === 'door_to_door' ? 'purple' : 'blue'} style={{ marginInlineEnd: 0 }}>
      {t(`testing.points.kinds.${kind}`)}
    </Tag>
  );
  const closedTag = (point: CollectionPoint) =>
    point.closedAt && (
      <Tag color="red" style={{ marginInlineEnd: 0 }}>
        {t('testing.points.closed')}
      </Tag>
    );
  const actions = (point: CollectionPoint) =>
    organise &&
    point.actions.manage && (
      <Flex gap={4} wrap>
        <Button
          size={touchSize('small')}
          icon={<EditOutlined />}
          onClick={() => setEditing(point)}
          data-testid={`point-edit-${point.name}`}
        >
          {t('testing.points.edit')}
        </Button>
        {point.closedAt ? (
          <Button
            size={touchSize('small')}
            onClick={() => setClosed.mutate({ point, closed: false })}
            data-testid={`point-reopen-${point.name}`}
          >
            {t('testing.points.reopen')}
          </Button>
        ) : (
          <Button
            size={touchSize('small')}
            danger
            onClick={() => askToClose(point)}
            data-testid={`point-close-${point.name}`}
          >
            {t('testing.points.close')}
          </Button>
        )}
      </Flex>
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
            <Flex gap={4}>
              {closedTag(point)}
              {kindTag(point.kind)}
            </Flex>
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
          {actions(point)}
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
          <Flex gap={6} align="center">
            <Typography.Text strong>{name}</Typography.Text>
            {closedTag(point)}
          </Flex>
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
    ...(organise
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, point: CollectionPoint) => actions(point),
          },
        ]
      : []),
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">
          {t('testing.points.count', { count: round.points.length })}
        </Typography.Text>
        {organise && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing(null)}
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
      <PointModal
        round={round}
        point={editing ?? undefined}
        open={editing !== undefined}
        onClose={() => setEditing(undefined)}
      />
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

/** A new point, or a change to one: its unit stays (its tubes were opened there). */
function PointModal({
  round,
  point,
  open,
  onClose,
}: {
  round: TestRoundDetail;
  /** The point to change; a new one when absent. */
  point?: CollectionPoint;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const save = useMutation({
    mutationFn: (values: PointValues) => {
      const fields = {
        name: values.name.trim(),
        place: values.place?.trim() || null,
        hours: values.hours?.trim() || null,
        // Without the user list the team is not shown, so it is left as it is.
        ...(values.samplerUserIds === undefined ? {} : { samplerUserIds: values.samplerUserIds }),
      };
      return point
        ? api.patch<CollectionPoint>(`/test-rounds/${round.id}/points/${point.id}`, fields)
        : api.post<CollectionPoint>(`/test-rounds/${round.id}/points`, {
            ...fields,
            orgUnitId: values.orgUnit.value,
          });
    },
    onSuccess: () => {
      onClose();
      void message.success(t(point ? 'common.saved' : 'common.created'));
      void queryClient.invalidateQueries({ queryKey: ['test-rounds', 'detail', round.id] });
    },
  });
  return (
    <ModalForm<PointValues>
      open={open}
      title={point ? t('testing.points.editTitle', { name: point.name }) : t('testing.points.create')}
      initialValues={
        point
          ? {
              name: point.name,
              orgUnit: { value: point.orgUnitId, label: point.orgUnitName ?? '' },
              place: point.place ?? undefined,
              hours: point.hours ?? undefined,
              samplerUserIds: point.samplers.map((sampler) => sampler.id),
            }
          : {
              // The round's own unit only for who organises all of it (a community's staff pick theirs).
              orgUnit:
                round.actions.manage && round.orgUnitName
                  ? { value: round.orgUnitId, label: round.orgUnitName }
                  : undefined,
              hours: phrased(['07:00-11:30', '14:30-18:00'], i18n.language),
            }
      }
      pending={save.isPending}
      onSubmit={(values, form) => save.mutate(values, { onError: (error) => showError(error, form) })}
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
        extra={t(point ? 'testing.points.unitFixed' : 'testing.points.unitHint')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        <OrgUnitSelect disabled={Boolean(point)} within={round.orgUnitId} data-testid="point-unit" />
      </Form.Item>
      <Form.Item name="place" label={t('testing.points.place')} rules={[{ max: 200 }]}>
        <Input placeholder={t('testing.points.placePlaceholder')} data-testid="point-place" />
      </Form.Item>
      <Form.Item name="hours" label={t('testing.points.hours')} rules={[{ max: 100 }]}>
        <Input data-testid="point-hours" />
      </Form.Item>
      <TeamField
        label={t('testing.points.samplers')}
        extra={t('testing.points.samplersHint')}
        testId="point-samplers"
        names={Object.fromEntries(point?.samplers.map((sampler) => [sampler.id, sampler.displayName]) ?? [])}
      />
    </ModalForm>
  );
}
