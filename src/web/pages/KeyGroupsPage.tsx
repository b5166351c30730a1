import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localDay } from '../../domain/dates';
import { api } from '../api';
import { ModalForm } from '../components/ModalForm';
import { DATE_FORMAT } from '../format';
import { useShowError } from '../forms';
import { keyGroupsQuery } from '../queries';
import { touchSize } from '../touch';
import type { KeyGroup } from '../types';
import { useMe } from '../useMe';

/** The modal: `group` outlives `open` so the modal keeps its content while it fades out. */
interface Editing {
  open: boolean;
  group?: KeyGroup;
}

/** The classes changed month to month in 2022: they are data with effective dates, kept here. */
export function KeyGroupsPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const groups = useQuery(keyGroupsQuery);
  const [editing, setEditing] = useState<Editing>({ open: false });
  const writable = can('key-group.write');
  const screens = Grid.useBreakpoint();

  const editButton = (group: KeyGroup) => (
    <Button
      size={touchSize('small')}
      icon={<EditOutlined />}
      onClick={() => setEditing({ open: true, group })}
      data-testid={`key-group-edit-${group.code}`}
    >
      {t('common.edit')}
    </Button>
  );
  const activeTag = (active: boolean) =>
    active ? <Tag color="success">{t('keyGroups.activeYes')}</Tag> : <Tag>{t('keyGroups.activeNo')}</Tag>;
  // A phone: each class on its own lines (name and state, how often and since when, the edit
  // button), rather than code and name with the rest behind a sideways scroll.
  const narrowColumns: TableColumnsType<KeyGroup> = [
    {
      key: 'group',
      render: (_, group) => (
        <Flex justify="space-between" align="center" gap={8}>
          <Flex vertical gap={2} style={{ minWidth: 0 }}>
            <Flex gap={8} align="center" wrap>
              <Typography.Text strong>{group.name}</Typography.Text>
              {activeTag(group.active)}
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {[group.code, group.testingFrequency, `${group.effectiveFrom} ~ ${group.effectiveTo ?? ''}`]
                .filter(Boolean)
                .join(' · ')}
            </Typography.Text>
          </Flex>
          {writable && editButton(group)}
        </Flex>
      ),
    },
  ];

  const columns: TableColumnsType<KeyGroup> = [
    { title: t('keyGroups.code'), dataIndex: 'code' },
    { title: t('keyGroups.name'), dataIndex: 'name' },
    {
      title: t('keyGroups.testingFrequency'),
      dataIndex: 'testingFrequency',
      render: (frequency: string | null) => frequency ?? '—',
    },
    { title: t('keyGroups.effectiveFrom'), dataIndex: 'effectiveFrom' },
    {
      title: t('keyGroups.effectiveTo'),
      dataIndex: 'effectiveTo',
      render: (date: string | null) => date ?? '—',
    },
    {
      title: t('keyGroups.active'),
      dataIndex: 'active',
      render: (active: boolean) => activeTag(active),
    },
    ...(writable
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, group: KeyGroup) => editButton(group),
          },
        ]
      : []),
  ];

  return (
    <Card
      title={t('nav.keyGroups')}
      extra={
        writable && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ open: true })}
            data-testid="key-group-create"
          >
            {t('keyGroups.create')}
          </Button>
        )
      }
    >
      <Alert type="info" showIcon title={t('keyGroups.note')} style={{ marginBottom: 16 }} />
      {groups.error && (
        <Alert type="error" showIcon title={groups.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<KeyGroup>
        rowKey="code"
        columns={screens.md ? columns : narrowColumns}
        showHeader={screens.md}
        dataSource={groups.data?.items}
        loading={groups.isFetching}
        scroll={screens.md ? { x: 'max-content' } : undefined}
        pagination={false}
        data-testid="key-group-table"
      />
      <KeyGroupModal
        open={editing.open}
        group={editing.group}
        onClose={() => setEditing((current) => ({ ...current, open: false }))}
      />
    </Card>
  );
}

interface KeyGroupValues {
  code: string;
  name: string;
  testingFrequency?: string;
  effectiveFrom: Dayjs;
  effectiveTo?: Dayjs | null;
}

function toRequest({ name, testingFrequency, effectiveFrom, effectiveTo }: KeyGroupValues, editing: boolean) {
  // An emptied optional field is null on an edit, which clears it, and simply absent on a create.
  const empty = editing ? null : undefined;
  return {
    name,
    testingFrequency: testingFrequency?.trim() || empty,
    effectiveFrom: effectiveFrom.format(DATE_FORMAT),
    effectiveTo: effectiveTo?.format(DATE_FORMAT) ?? empty,
  };
}

function KeyGroupModal({ group, open, onClose }: { group?: KeyGroup; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const save = useMutation({
    mutationFn: (values: KeyGroupValues) =>
      group
        ? api.patch<KeyGroup>(`/key-groups/${encodeURIComponent(group.code)}`, toRequest(values, true))
        : api.post<KeyGroup>('/key-groups', { code: values.code.trim(), ...toRequest(values, false) }),
    onSuccess: () => {
      onClose();
      void message.success(group ? t('common.saved') : t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['key-groups'] });
      // Residents show class names: a renamed class shows its new name there too.
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
    },
  });

  return (
    <ModalForm<KeyGroupValues>
      open={open}
      title={group ? t('keyGroups.editTitle', { name: group.name }) : t('keyGroups.create')}
      initialValues={
        group
          ? {
              code: group.code,
              name: group.name,
              testingFrequency: group.testingFrequency ?? undefined,
              effectiveFrom: dayjs(group.effectiveFrom),
              effectiveTo: group.effectiveTo ? dayjs(group.effectiveTo) : undefined,
            }
          : { effectiveFrom: dayjs(localDay()) }
      }
      pending={save.isPending}
      onSubmit={(values, form) => save.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="key-group-submit"
    >
      <Form.Item
        name="code"
        label={t('keyGroups.code')}
        extra={group ? undefined : t('keyGroups.codeHint')}
        // The server's rule, checked here too so the user learns it before sending.
        rules={[
          { required: true, whitespace: true },
          { pattern: /^[a-z0-9_-]+$/, message: t('keyGroups.codePattern') },
        ]}
      >
        <Input disabled={Boolean(group)} autoComplete="off" data-testid="key-group-code" />
      </Form.Item>
      <Form.Item name="name" label={t('keyGroups.name')} rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="key-group-name" />
      </Form.Item>
      <Form.Item
        name="testingFrequency"
        label={t('keyGroups.testingFrequency')}
        extra={t('keyGroups.frequencyHint')}
      >
        <Input data-testid="key-group-frequency" />
      </Form.Item>
      <Form.Item name="effectiveFrom" label={t('keyGroups.effectiveFrom')} rules={[{ required: true }]}>
        <DatePicker style={{ width: '100%' }} data-testid="key-group-effective-from" />
      </Form.Item>
      <Form.Item
        name="effectiveTo"
        label={t('keyGroups.effectiveTo')}
        extra={t('keyGroups.effectiveToHint')}
        dependencies={['effectiveFrom']}
        rules={[
          ({ getFieldValue }) => ({
            validator: async (_, value: Dayjs | null | undefined) => {
              const from: Dayjs | undefined = getFieldValue('effectiveFrom');
              if (value && from && value.isBefore(from, 'day'))
                throw new Error(t('keyGroups.endBeforeStart'));
            },
          }),
        ]}
      >
        <DatePicker style={{ width: '100%' }} data-testid="key-group-effective-to" />
      </Form.Item>
    </ModalForm>
  );
}
