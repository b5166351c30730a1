import { useMutation } from '@tanstack/react-query';
import { App, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { passwordProblem } from '../../domain/accounts';
import { api } from '../api';
import { domainRule, useShowError } from '../forms';
import { signOutLocally } from '../useMe';
import { ModalForm } from './ModalForm';

interface PasswordValues {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/** A successful change ends every session of the user, this one included: they sign in again. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { modal } = App.useApp();
  const showError = useShowError();

  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: PasswordValues) =>
      api.post('/auth/password', { currentPassword, newPassword }),
    onSuccess: () => {
      onClose();
      modal.success({ title: t('password.changed'), onOk: () => signOutLocally() });
    },
  });

  return (
    <ModalForm<PasswordValues>
      open={open}
      title={t('layout.changePassword')}
      pending={change.isPending}
      onSubmit={(values, form) => change.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
    >
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('password.new')}
        validateTrigger="onBlur"
        rules={[{ required: true }, domainRule(i18n.language, passwordProblem)]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirmPassword"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error(t('password.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </ModalForm>
  );
}
