import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Flex, Row, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { Page, WorkItem } from '../types';
import { useMe } from '../useMe';

export function HomePage() {
  const { t } = useTranslation();
  const { session, can } = useMe();
  const mayReadWorkItems = can('work-item.read');
  // Only the total is needed: one item per page keeps the answer small.
  const openItems = useQuery({
    queryKey: ['work-items', { mine: true, state: 'open', page: 1, pageSize: 1 }],
    queryFn: () =>
      api.get<Page<WorkItem>>('/work-items', { mine: true, state: 'open', page: 1, pageSize: 1 }),
    enabled: mayReadWorkItems,
  });
  if (!session) return null;

  return (
    <>
      <Typography.Title level={3}>{t('home.welcome', { name: session.user.displayName })}</Typography.Title>
      <Row gutter={[16, 16]}>
        {mayReadWorkItems && (
          <Col xs={24} md={8}>
            <Card>
              <Link to="/work-items">
                <Statistic
                  title={t('home.openWorkItems')}
                  value={openItems.data?.total ?? '—'}
                  loading={openItems.isPending}
                  data-testid="home-open-count"
                />
              </Link>
            </Card>
          </Col>
        )}
        <Col xs={24} md={16}>
          <Card title={t('home.grants')}>
            {session.grants.length === 0 ? (
              <Empty description={t('home.noGrants')} />
            ) : (
              <Flex vertical gap={8} data-testid="home-grants">
                {session.grants.map((grant) => (
                  <Typography.Text key={`${grant.role}@${grant.orgUnitId}`}>
                    {t('home.grant', { role: grant.roleName, unit: grant.orgUnitName })}
                  </Typography.Text>
                ))}
              </Flex>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
