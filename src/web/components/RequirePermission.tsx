import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../domain/permissions';
import { useMe } from '../useMe';

/** A page typed into the address bar without the permission says so instead of failing its calls. */
export function RequirePermission({
  permission,
  children,
}: {
  permission?: Permission;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { can } = useMe();
  if (permission && !can(permission)) {
    return <Result status="403" title="403" subTitle={t('errors.forbiddenPage')} />;
  }
  return children;
}
