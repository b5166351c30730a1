import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Form, Input, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { passwordProblem, usernameProblem } from '../../domain/accounts';
import { mobileProblem } from '../../domain/phone';
import { api } from '../api';
import { domainRule, useShowError } from '../forms';
import { localized } from '../i18n';
import { rolesQuery } from '../queries';
import type { User } from '../types';
import { ModalForm } from './ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from './OrgUnitSelect';

interface GrantRow {
  role: string;
  orgUnitId: OrgUnitChoice;
}

interface UserFormValues {
  username: string;
  displayName: string;
  password?: string;
  phone?: string;
  active: boolean;
  grants: GrantRow[];
}

const toInitialValues = (user: User | undefined): Partial<UserFormValues> =>
  user
    ? {
        username: user.username,
        displayName: user.displayName,
        active: user.active,
        grants: user.grants.map((grant) => ({
          role: grant.role,
          orgUnitId: { value: grant.orgUnitId, label: grant.orgUnitName },
        })),
      }
    : // A new user starts with one grant row to fill: a user without grants sees nothing.
      { active: true, grants: [{} as GrantRow] };

/**
 * Phone and password are write-only here: the list shows the phone masked and never the password,
 * so an empty field means "keep", and only what was typed is sent. The server trims and normalises.
 */
function toRequest({ username, displayName, password, phone, active, grants }: UserFormValues, user?: User) {
  const typed = { password: password || undefined, phone: phone || undefined };
  const grantIds = grants.map((grant) => ({ role: grant.role, orgUnitId: grant.orgUnitId.value }));
  return user
    ? { displayName, active, grants: grantIds, ...typed }
    : { username, displayName, grants: grantIds, ...typed };
}

/** Creates a user, or edits one when `user` is given. */
export function UserFormModal({ user, open, onClose }: { user?: User; open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const roles = useQuery({ ...rolesQuery, enabled: open });
  // The account of someone who also works outside one's reach is theirs to change, not ours.
  const accountLocked = Boolean(user && !user.actions.updateAccount);

  const save = useMutation({
    mutationFn: (values: UserFormValues) =>
      user
        ? api.patch<User>(`/users/${user.id}`, toRequest(values, user))
        : api.post<User>('/users', toRequest(values, user)),
    onSuccess: () => {
      onClose();
      void message.success(user ? t('common.saved') : t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });

  const roleOptions = (roles.data?.items ?? []).map((role) => ({
    value: role.code,
    label: localized(i18n.language, role.name, role.nameEn),
  }));

  return (
    <ModalForm<UserFormValues>
      open={open}
      title={user ? t('users.editTitle', { name: user.displayName }) : t('users.create')}
      initialValues={toInitialValues(user)}
      pending={save.isPending}
      onSubmit={(values, form) => save.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="user-submit"
    >
      <Form.Item
        name="username"
        label={t('users.username')}
        validateTrigger="onBlur"
        rules={[{ required: true, whitespace: true }, domainRule(i18n.language, usernameProblem)]}
      >
        <Input autoComplete="off" disabled={Boolean(user)} data-testid="user-username" />
      </Form.Item>
      <Form.Item
        name="displayName"
        label={t('users.displayName')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input data-testid="user-displayname" disabled={accountLocked} />
      </Form.Item>
      <Form.Item
        name="password"
        label={user ? t('users.resetPassword') : t('users.password')}
        validateTrigger="onBlur"
        rules={[{ required: !user }, domainRule(i18n.language, passwordProblem)]}
        extra={accountLocked ? t('users.accountElsewhere') : user ? t('users.keepIfEmpty') : undefined}
      >
        <Input.Password autoComplete="new-password" data-testid="user-password" disabled={accountLocked} />
      </Form.Item>
      <Form.Item
        name="phone"
        label={t('users.phone')}
        validateTrigger="onBlur"
        rules={[domainRule(i18n.language, mobileProblem)]}
        extra={user?.phone ? t('users.phoneCurrent', { phone: user.phone }) : undefined}
      >
        <Input inputMode="tel" autoComplete="off" data-testid="user-phone" disabled={accountLocked} />
      </Form.Item>
      {user && (
        <Form.Item name="active" label={t('users.active')} valuePropName="checked">
          <Switch data-testid="user-active" disabled={accountLocked} />
        </Form.Item>
      )}
      <Form.Item label={t('users.grants')} required>
        <Form.List name="grants">
          {(fields, { add, remove }, { errors }) => (
            <Flex vertical gap={8}>
              {fields.map(({ key, name }) => (
                <Flex key={key} gap={8} wrap align="start">
                  <Form.Item
                    name={[name, 'role']}
                    rules={[{ required: true, message: t('users.roleRequired') }]}
                    style={{ flex: '1 1 140px', margin: 0 }}
                  >
                    <Select
                      options={roleOptions}
                      loading={roles.isPending}
                      placeholder={t('users.role')}
                      data-testid={`user-grant-role-${name}`}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[name, 'orgUnitId']}
                    rules={[{ required: true, message: t('users.unitRequired') }]}
                    style={{ flex: '2 1 180px', margin: 0 }}
                  >
                    <OrgUnitSelect data-testid={`user-grant-org-${name}`} />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    aria-label={t('users.removeGrant')}
                    onClick={() => remove(name)}
                  />
                </Flex>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add()}
                data-testid="user-grant-add"
              >
                {t('users.addGrant')}
              </Button>
              {/* The server's "at least one grant" lands on the list itself. */}
              <Form.ErrorList errors={errors} />
            </Flex>
          )}
        </Form.List>
      </Form.Item>
    </ModalForm>
  );
}
