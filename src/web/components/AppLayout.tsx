import { DownOutlined, LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Dropdown, Grid, Layout, Menu, Result, Spin, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { fieldOutboxOf, useFieldWrites } from '../fieldOutbox';
import { useShowError } from '../forms';
import { NAV_ITEMS } from '../navigation';
import { scanQueueOf } from '../sampling/useScanQueue';
import type { Session } from '../types';
import { useLiveUpdates } from '../useLiveUpdates';
import { endSessionOnServer, markSignOutPending, signOutLocally, useMe } from '../useMe';
import { Brand } from './Brand';
import { ChangePasswordModal } from './ChangePasswordModal';
import { LanguageSwitch } from './LanguageSwitch';

/** The frame of every signed-in page; signed-out visitors are sent to /login and brought back after. */
export function AppLayout() {
  const { t } = useTranslation();
  const { session, error, refetch } = useMe();
  const location = useLocation();
  useLiveUpdates(session?.user.id);

  if (session === null) return <Navigate to="/login" replace state={{ from: location }} />;
  if (session) return <Shell session={session} />;
  if (error) {
    return (
      <Result
        status="error"
        title={t('errors.sessionCheck')}
        subTitle={error.message}
        extra={<Button onClick={() => void refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  return <Spin fullscreen />;
}

function Shell({ session }: { session: Session }) {
  const { t } = useTranslation();
  // Field writes kept on the phone go out from any page, and what became of them is said there.
  useFieldWrites(session.user.id);
  const { token } = theme.useToken();
  const { can } = useMe();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md; // below 768 px the menu lives in a drawer
  const [menuOpen, setMenuOpen] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);
  const location = useLocation();
  const showError = useShowError();
  const { modal } = App.useApp();

  const visible = NAV_ITEMS.filter((item) => !item.permission || can(item.permission));
  // By whole segments: /labs is not under /lab, /testing/… is under /testing.
  const current = visible.find((item) =>
    item.path === '/'
      ? location.pathname === '/'
      : location.pathname === item.path || location.pathname.startsWith(`${item.path}/`),
  );
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={current ? [current.path] : []}
      items={visible.map((item) => ({
        key: item.path,
        icon: item.icon,
        label: <Link to={item.path}>{t(`nav.${item.label}`)}</Link>,
      }))}
      onClick={() => setMenuOpen(false)}
      style={{ borderInlineEnd: 'none' }}
    />
  );

  const signOut = async () => {
    let ended: 'done' | 'offline';
    try {
      ended = await endSessionOnServer();
    } catch (error) {
      return showError(error);
    }
    // No network, or none that answers in time (a village, a phone handed to the next shift):
    // signed out here, the server told when it is next reached.
    if (ended === 'offline' && !markSignOutPending())
      return showError(new Error(t('layout.signOutNeedsNetwork')));
    signOutLocally();
  };
  // Writes still on the phone go only when this user signs in here again: said before signing out.
  const logout = () => {
    const waiting =
      scanQueueOf(session.user.id).getSnapshot().length + fieldOutboxOf(session.user.id).getSnapshot().length;
    if (waiting === 0) return void signOut();
    modal.confirm({
      title: t('outbox.signOutTitle', { count: waiting }),
      content: t('outbox.signOutHint'),
      okText: t('layout.logout'),
      okButtonProps: { danger: true },
      onOk: signOut,
    });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: narrow ? 8 : 16,
          padding: narrow ? '0 12px' : '0 24px',
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
          position: 'sticky',
          top: 0,
          zIndex: 10,
        }}
      >
        {narrow && (
          <Button
            type="text"
            icon={<MenuOutlined />}
            aria-label={t('layout.openMenu')}
            data-testid="menu-toggle"
            onClick={() => setMenuOpen(true)}
          />
        )}
        <Link to="/" aria-label={t('nav.home')} style={{ display: 'flex' }}>
          <Brand compact={narrow} />
        </Link>
        <div style={{ flex: 1 }} />
        <Dropdown
          trigger={['click']}
          menu={{
            items: [{ key: 'password', label: t('layout.changePassword') }],
            onClick: () => setPasswordOpen(true),
          }}
        >
          <Button type="text" data-testid="user-menu" style={{ paddingInline: 4 }}>
            <span
              style={{
                maxWidth: narrow ? 72 : 200,
                overflow: 'hidden',
                textOverflow: 'ellipsis',
                whiteSpace: 'nowrap',
              }}
            >
              {session.user.displayName}
            </span>
            <DownOutlined />
          </Button>
        </Dropdown>
        <LanguageSwitch compact={narrow} />
        <Button
          icon={<LogoutOutlined />}
          aria-label={t('layout.logout')}
          data-testid="logout"
          onClick={logout}
        >
          {narrow ? null : t('layout.logout')}
        </Button>
      </Layout.Header>
      <Layout>
        {narrow ? (
          <Drawer
            placement="left"
            size={240}
            open={menuOpen}
            onClose={() => setMenuOpen(false)}
            title={<Brand />}
            styles={{ body: { padding: 0 } }}
          >
            {menu}
          </Drawer>
        ) : (
          <Layout.Sider
            width={208}
            theme="light"
            style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
          >
            {menu}
          </Layout.Sider>
        )}
        <Layout.Content style={{ padding: narrow ? 12 : 24, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}
