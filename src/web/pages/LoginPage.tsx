import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Location, Navigate, useLocation } from 'react-router';
import { api } from '../api';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { applyFieldErrors } from '../forms';
import type { Session } from '../types';
import { sendPendingSignOut, startSession, useMe } from '../useMe';

interface Credentials {
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Credentials>();
  const { session } = useMe();
  const queryClient = useQueryClient();
  // The signed-in layout sent us here from the page the user asked for; go back there after.
  const from = (useLocation().state as { from?: Location } | null)?.from;
  const target = from ? `${from.pathname}${from.search}` : '/';

  const login = useMutation({
    mutationFn: async (credentials: Credentials) => {
      // Whoever signed out here without network has their session ended first.
      await sendPendingSignOut();
      return api.post<Session>('/auth/login', credentials);
    },
    // The new session re-renders this page, which then redirects.
    onSuccess: (newSession) => startSession(queryClient, newSession),
    // 401 and 429 carry no fields: their message shows above the form.
    onError: (error) => applyFieldErrors(form, error),
  });

  if (session) return <Navigate to={target} replace />;

  return (
    <Flex vertical align="center" style={{ minHeight: '100vh', padding: 16, background: '#f0f5ff' }}>
      <Flex justify="end" style={{ width: '100%' }}>
        <LanguageSwitch />
      </Flex>
      <Card style={{ width: '100%', maxWidth: 380, marginTop: '10vh' }}>
        <Flex vertical align="center" gap={4} style={{ marginBottom: 24 }}>
          <Brand />
          <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
        </Flex>
        {login.error && (
          <Alert
            type="error"
            showIcon
            title={login.error.message}
            style={{ marginBottom: 16 }}
            data-testid="login-error"
          />
        )}
        <Form<Credentials>
          form={form}
          layout="vertical"
          onFinish={(values) => login.mutate(values)}
          requiredMark={false}
        >
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true }]}>
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
