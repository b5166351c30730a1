import { EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Grid,
  Input,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { UserFormModal } from '../components/UserFormModal';
import { useShowError } from '../forms';
import { touchSize } from '../touch';
import type { Page, User } from '../types';
import { useMe } from '../useMe';

/** The user modal: `user` outlives `open` so the modal keeps its content while it fades out. */
interface Editing {
  open: boolean;
  user?: User;
}

export function UsersPage() {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const { can } = useMe();
  const showError = useShowError();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [editing, setEditing] = useState<Editing>({ open: false });
  const screens = Grid.useBreakpoint();

  const users = useQuery({
    queryKey: ['users', { q, page, pageSize }],
    queryFn: () => api.get<Page<User>>('/users', { q, page, pageSize }),
    placeholderData: keepPreviousData, // keep the rows on screen while the next page loads
  });

  const unmask = useMutation({
    mutationFn: (user: User) => api.post<{ phone: string }>(`/users/${user.id}/unmask`),
    onSuccess: ({ phone }, user) => {
      modal.info({ title: t('users.fullPhoneOf', { name: user.displayName }), content: phone });
    },
    onError: (error) => showError(error),
  });

  const phoneOf = (user: User) => (
    <Flex align="center" gap={4} wrap={false}>
      <span>{user.phone ?? '—'}</span>
      {user.phone && user.actions.unmask && (
        <Button
          type="link"
          size={touchSize('small')}
          icon={<EyeOutlined />}
          loading={unmask.isPending && unmask.variables?.id === user.id}
          onClick={() => unmask.mutate(user)}
        >
          {t('users.unmask')}
        </Button>
      )}
    </Flex>
  );
  const grantsOf = (user: User) => (
    <Flex gap={4} wrap>
      {user.grants.map((grant) => (
        <Tag key={`${grant.role}@${grant.orgUnitId}`}>{`${grant.roleName} · ${grant.orgUnitName}`}</Tag>
      ))}
    </Flex>
  );
  const stateOf = (user: User) =>
    user.active ? <Tag color="success">{t('users.enabled')}</Tag> : <Tag>{t('users.disabled')}</Tag>;
  const editOf = (user: User) =>
    user.actions.update && (
      <Button
        size={touchSize('small')}
        icon={<EditOutlined />}
        onClick={() => setEditing({ open: true, user })}
        data-testid={`user-edit-${user.username}`}
      >
        {t('common.edit')}
      </Button>
    );
  // A phone: each user on their own lines (name and state, username and phone, grants, edit),
  // rather than three columns with grants, state and 编辑 behind a sideways scroll.
  const narrowColumns: TableColumnsType<User> = [
    {
      key: 'user',
      render: (_, user) => (
        <Flex vertical gap={4}>
          <Flex justify="space-between" align="center" gap={8}>
            <Flex gap={8} align="center" wrap style={{ minWidth: 0 }}>
              <Typography.Text strong>{user.displayName}</Typography.Text>
              <Typography.Text type="secondary">{user.username}</Typography.Text>
              {stateOf(user)}
            </Flex>
            {editOf(user)}
          </Flex>
          {user.phone && phoneOf(user)}
          {grantsOf(user)}
        </Flex>
      ),
    },
  ];

  const columns: TableColumnsType<User> = [
    { title: t('users.username'), dataIndex: 'username' },
    { title: t('users.displayName'), dataIndex: 'displayName' },
    {
      title: t('users.phone'),
      dataIndex: 'phone',
      render: (_: string | null, user) => phoneOf(user),
    },
    { title: t('users.grants'), dataIndex: 'grants', render: (_, user) => grantsOf(user) },
    { title: t('users.active'), dataIndex: 'active', render: (_, user) => stateOf(user) },
    { title: t('common.actions'), key: 'actions', render: (_, user) => editOf(user) },
  ];

  return (
    <Card
      title={t('nav.users')}
      extra={
        can('user.write') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ open: true })}
            data-testid="user-create"
          >
            {t('users.create')}
          </Button>
        )
      }
    >
      <Input.Search
        allowClear
        placeholder={t('users.search')}
        onSearch={(value) => {
          setQ(value.trim());
          setPage(1);
        }}
        style={{ maxWidth: 360, marginBottom: 16 }}
        data-testid="user-search"
      />
      {users.error && (
        <Alert type="error" showIcon title={users.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<User>
        rowKey="id"
        columns={screens.md ? columns : narrowColumns}
        showHeader={screens.md}
        dataSource={users.data?.items}
        loading={users.isFetching}
        scroll={screens.md ? { x: 'max-content' } : undefined}
        pagination={{
          current: page,
          pageSize,
          total: users.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (nextPage, nextPageSize) => {
            setPage(nextPage);
            setPageSize(nextPageSize);
          },
        }}
      />
      <UserFormModal
        open={editing.open}
        user={editing.user}
        onClose={() => setEditing((current) => ({ ...current, open: false }))}
      />
    </Card>
  );
}
