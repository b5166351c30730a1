import { ExperimentOutlined, ScanOutlined, TeamOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Empty, Flex, Row, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { CoverageSummary } from '../components/testing/CoverageSummary';
import { coverageQuery, roundsQuery } from '../testingTypes';
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
  // The day's work one tap away on a phone (the menu hides behind ☰): what this user does most.
  const shortcuts = [
    can('sampling.scan') && { to: '/sampling', label: t('home.scan'), icon: <ScanOutlined />, id: 'scan' },
    can('lab.results') && { to: '/lab', label: t('home.lab'), icon: <ExperimentOutlined />, id: 'lab' },
    can('testing.exempt') && {
      to: '/testing',
      label: t('home.testing'),
      icon: <TeamOutlined />,
      id: 'testing',
    },
  ].filter((shortcut) => shortcut !== false);

  return (
    <>
      <Typography.Title level={3}>{t('home.welcome', { name: session.user.displayName })}</Typography.Title>
      {shortcuts.length > 0 && (
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          {shortcuts.map((shortcut) => (
            <Link key={shortcut.id} to={shortcut.to} style={{ flex: '1 1 160px' }}>
              <Button
                type="primary"
                size="large"
                block
                icon={shortcut.icon}
                data-testid={`home-go-${shortcut.id}`}
              >
                {shortcut.label}
              </Button>
            </Link>
          ))}
        </Flex>
      )}
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
        {can('testing.read') && (
          <Col xs={24} md={8}>
            <LatestRoundCard />
          </Col>
        )}
        <Col xs={24} md={can('testing.read') && mayReadWorkItems ? 8 : 16}>
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

/** The newest round and how far it has come: the command centre's first question of the day. */
function LatestRoundCard() {
  const { t } = useTranslation();
  // The newest round not cancelled (one set up by mistake is not the day's round).
  const rounds = useQuery(roundsQuery(1, 10));
  const round = rounds.data?.items.find((candidate) => !candidate.cancelledAt);
  const coverage = useQuery({ ...coverageQuery(round?.id ?? ''), enabled: round !== undefined });
  return (
    <Card
      title={t('testing.home.latest')}
      extra={<Link to="/testing">{t('testing.home.all')}</Link>}
      loading={rounds.isPending}
      data-testid="home-latest-round"
    >
      {round ? (
        <Flex vertical gap={4}>
          <Link to={`/testing/${round.id}`} data-testid="home-round-link">
            <Typography.Text strong style={{ color: 'inherit' }}>
              {round.name}
            </Typography.Text>
          </Link>
          <CoverageSummary tally={coverage.data} compact />
        </Flex>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('testing.round.none')} />
      )}
    </Card>
  );
}
