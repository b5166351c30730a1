import { DownOutlined, RightOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Col, Flex, Grid, Row, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ADMIN_KEEPS, ADMIN_ROLE, type Permission } from '../../domain/permissions';
import { api } from '../api';
import { useShowError } from '../forms';
import { localized } from '../i18n';
import { permissionsQuery, rolesQuery } from '../queries';
import type { PermissionInfo, Role } from '../types';
import { refreshSession, useMe } from '../useMe';

export function RolesPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  // On a phone the dozen roles with their nineteen permissions each ran to 8,000 px of scrolling:
  // each role opens on a tap there instead.
  const wide = Grid.useBreakpoint().md !== false;
  const roles = useQuery(rolesQuery);
  const permissions = useQuery(permissionsQuery);
  const error = roles.error ?? permissions.error;

  if (error) return <Alert type="error" showIcon title={error.message} />;
  if (!roles.data || !permissions.data) return <Spin />;
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('nav.roles')}
      </Typography.Title>
      {roles.data.items.map((role) => (
        // Keyed by the saved permissions too: when they change (saved here or elsewhere), the card
        // starts again from the server's values instead of keeping stale edits.
        <RoleCard
          key={`${role.code}:${role.permissions.join()}`}
          role={role}
          permissions={permissions.data.items}
          editable={can('role.write')}
          folded={!wide}
        />
      ))}
    </Flex>
  );
}

function RoleCard({
  role,
  permissions,
  editable,
  folded,
}: {
  role: Role;
  permissions: PermissionInfo[];
  editable: boolean;
  /** Shut until tapped (a phone): the role's name and how many permissions it holds. */
  folded: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const shut = folded && !open;
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [selected, setSelected] = useState<Permission[]>(role.permissions);
  const changed =
    selected.length !== role.permissions.length || selected.some((code) => !role.permissions.includes(code));
  const kept = (code: Permission) =>
    role.code === ADMIN_ROLE && ADMIN_KEEPS.includes(code) && role.permissions.includes(code);

  const save = useMutation({
    mutationFn: () => api.patch<Role>(`/roles/${role.code}`, { permissions: selected }),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void queryClient.invalidateQueries({ queryKey: ['roles'] });
      void refreshSession(queryClient); // the user may hold this role: their menu follows
    },
    onError: (error) => showError(error),
  });

  return (
    <Card
      data-testid={`role-${role.code}`}
      title={
        <Flex
          align="center"
          gap={8}
          wrap
          onClick={folded ? () => setOpen(!open) : undefined}
          style={folded ? { cursor: 'pointer', minHeight: 40 } : undefined}
          data-testid={`role-toggle-${role.code}`}
        >
          {folded && (open ? <DownOutlined /> : <RightOutlined />)}
          {localized(i18n.language, role.name, role.nameEn)}
          <Typography.Text type="secondary" code>
            {role.code}
          </Typography.Text>
          {shut && (
            <Typography.Text type="secondary">
              {t('roles.holds', { count: role.permissions.length })}
            </Typography.Text>
          )}
        </Flex>
      }
      styles={shut ? { body: { display: 'none' } } : undefined}
      extra={
        editable &&
        !shut && (
          <Flex gap={8}>
            <Button disabled={!changed || save.isPending} onClick={() => setSelected(role.permissions)}>
              {t('common.reset')}
            </Button>
            <Button type="primary" disabled={!changed} loading={save.isPending} onClick={() => save.mutate()}>
              {t('common.save')}
            </Button>
          </Flex>
        )
      }
    >
      <Checkbox.Group<Permission>
        value={selected}
        onChange={setSelected}
        disabled={!editable || save.isPending}
        style={{ width: '100%' }}
      >
        <Row gutter={[8, 8]} style={{ width: '100%' }}>
          {permissions.map((permission) => (
            <Col key={permission.code} xs={24} sm={12} xl={8}>
              <Checkbox
                value={permission.code}
                // The administrator's own administration stays (the server refuses it too): held,
                // it cannot be unticked; lost (a database from before the rule), it can be given back.
                disabled={kept(permission.code)}
                title={kept(permission.code) ? t('roles.adminKeeps') : undefined}
              >
                {localized(i18n.language, permission.name, permission.nameEn)}
              </Checkbox>
            </Col>
          ))}
        </Row>
      </Checkbox.Group>
    </Card>
  );
}
