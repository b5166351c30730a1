import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api';
import { useShowError } from '../forms';
import { endSession } from '../useMe';
import { ModalForm } from './ModalForm';

interface PasswordValues {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/** A successful change ends every session of the user, this one included: sign in again. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordValues>();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const showError = useShowError();

  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: PasswordValues) =>
      api.post('/auth/password', { currentPassword, newPassword }),
    onSuccess: () => {
      onClose();
      void message.success(t('password.changed'));
      endSession(queryClient);
      navigate('/login', { replace: true });
    },
    onError: (error) => showError(error, form),
  });

  return (
    <ModalForm
      open={open}
      title={t('layout.changePassword')}
      form={form}
      pending={change.isPending}
      onSubmit={(values) => change.mutate(values)}
      onClose={onClose}
    >
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true }]}>
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
