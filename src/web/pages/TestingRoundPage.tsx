import { ArrowLeftOutlined, EditOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Grid,
  Input,
  Result,
  Spin,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { SAMPLING_MODE_NAMES } from '../../domain/testing';
import { ApiError, api } from '../api';
import { KeptCopyNotice } from '../components/KeptCopyNotice';
import { ModalForm } from '../components/ModalForm';
import type { OrgUnitChoice } from '../components/OrgUnitSelect';
import { RoundPeriodTag } from '../components/testing/RoundPeriodTag';
import { formatTime, roundDays } from '../format';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { keyGroupsQuery } from '../queries';
import { roundQuery, type TestRound } from '../testingTypes';
import { useMe } from '../useMe';
import { CoverageTab } from './testing/CoverageTab';
import { MissingTab } from './testing/MissingTab';
import { PointsTab } from './testing/PointsTab';
import { RecallsTab } from './testing/RecallsTab';
import { RoundModal } from './testing/RoundModal';
import { SummaryTab } from './testing/SummaryTab';
import { SweepsTab } from './testing/SweepsTab';

const TABS = ['coverage', 'missing', 'points', 'recalls', 'sweeps', 'summary'] as const;
type TabKey = (typeof TABS)[number];

/** One round: its coverage down the org tree, who is missing, points, recalls, sweeps, the daily summary. */
export function TestingRoundPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const screens = Grid.useBreakpoint();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const { can } = useMe();
  // Who is missing is a list of residents: only for those who may read them (not a sampler).
  const shown = TABS.filter((key) => key !== 'missing' || can('resident.read'));
  const tab: TabKey = shown.includes(tabParam as TabKey) ? (tabParam as TabKey) : 'coverage';
  // The units drilled into below the round's own node; coverage and the missing list share it, so
  // a grid chosen on the coverage opens straight onto that grid's missing list.
  const [trail, setTrail] = useState<OrgUnitChoice[]>([]);
  const [changing, setChanging] = useState<'edit' | 'cancel'>();
  const round = useQuery(roundQuery(id));
  const keyGroups = useQuery(keyGroupsQuery);

  const openTab = (key: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (key === 'coverage') next.delete('tab');
        else next.set('tab', key);
        return next;
      },
      { replace: true },
    );

  if (round.isPending) return <Spin />;
  if (round.error) {
    return round.error instanceof ApiError && round.error.status === 404 ? (
      <Result
        status="404"
        title={t('testing.round.notFound')}
        extra={<Link to="/testing">{t('testing.backToRounds')}</Link>}
      />
    ) : (
      <Alert type="error" showIcon title={round.error.message} />
    );
  }
  const detail = round.data;
  const groupNames = new Map(keyGroups.data?.items.map((group) => [group.code, group.name]));
  const unit = trail.at(-1);
  const unitProps = {
    roundId: id,
    trail,
    onTrail: setTrail,
  };

  const tabs: Record<TabKey, ReactNode> = {
    coverage: (
      <CoverageTab
        {...unitProps}
        onShowMissing={
          can('resident.read')
            ? (nextTrail) => {
                setTrail(nextTrail);
                openTab('missing');
              }
            : undefined
        }
      />
    ),
    missing: <MissingTab key={unit?.value ?? 'round'} {...unitProps} />,
    points: <PointsTab round={detail} />,
    recalls: <RecallsTab roundId={id} />,
    sweeps: <SweepsTab round={detail} />,
    summary: <SummaryTab roundId={id} />,
  };

  return (
    <Flex vertical gap={16}>
      <Card
        size={screens.md ? 'default' : 'small'}
        title={
          <Flex gap={8} align="center" wrap style={{ padding: '8px 0' }}>
            <Typography.Text strong style={{ fontSize: 18, whiteSpace: 'normal' }} data-testid="round-title">
              {detail.name}
            </Typography.Text>
            <RoundPeriodTag round={detail} />
          </Flex>
        }
        extra={
          <Link to="/testing">
            <ArrowLeftOutlined /> {screens.sm ? t('testing.backToRounds') : null}
          </Link>
        }
      >
        <KeptCopyNotice
          name={`round.${id}`}
          title={t('testing.round.offlineCopy')}
          marginBottom={12}
          data-testid="round-offline-copy"
        />
        {detail.cancelledAt && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('testing.round.cancelled', {
              time: formatTime(detail.cancelledAt),
              reason: detail.cancelReason ?? '',
            })}
            data-testid="round-cancelled"
          />
        )}
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 4 }}
          items={[
            { key: 'unit', label: t('testing.round.unit'), children: detail.orgUnitName ?? '—' },
            {
              key: 'dates',
              label: t('testing.round.dates'),
              children: roundDays(detail),
            },
            {
              key: 'mode',
              label: t('testing.round.defaultMode'),
              children: nameIn(i18n.language, SAMPLING_MODE_NAMES[detail.defaultMode]),
            },
            {
              key: 'single',
              label: t('testing.round.singleTube'),
              children:
                detail.singleTubeKeyGroups.length === 0 ? (
                  t('testing.round.singleTubeDefault')
                ) : (
                  <Flex gap={4} wrap>
                    {detail.singleTubeKeyGroups.map((code) => (
                      <Tag key={code} style={{ marginInlineEnd: 0 }}>
                        {groupNames.get(code) ?? code}
                      </Tag>
                    ))}
                  </Flex>
                ),
            },
          ]}
        />
        {detail.actions.manage && !detail.cancelledAt && (
          <Flex gap={8} wrap style={{ marginTop: 12 }}>
            <Button icon={<EditOutlined />} onClick={() => setChanging('edit')} data-testid="round-edit">
              {t('testing.round.edit')}
            </Button>
            {detail.actions.cancel && (
              <Button
                danger
                icon={<StopOutlined />}
                onClick={() => setChanging('cancel')}
                data-testid="round-cancel"
              >
                {t('testing.round.cancel')}
              </Button>
            )}
          </Flex>
        )}
        <RoundModal open={changing === 'edit'} round={detail} onClose={() => setChanging(undefined)} />
        <CancelRoundModal
          open={changing === 'cancel'}
          round={detail}
          onClose={() => setChanging(undefined)}
        />
      </Card>
      <Card size={screens.md ? 'default' : 'small'} styles={{ body: { paddingTop: 0 } }}>
        <Tabs
          activeKey={tab}
          onChange={openTab}
          // On a phone the six tabs fit side by side when packed closer (else two hide behind "…").
          tabBarGutter={screens.sm ? undefined : 14}
          size={screens.sm ? 'middle' : 'small'}
          destroyOnHidden
          items={shown.map((key) => ({
            key,
            label: <span data-testid={`round-tab-${key}`}>{t(`testing.tabs.${key}`)}</span>,
            children: tabs[key],
          }))}
        />
      </Card>
    </Flex>
  );
}

/** Calling a round off, with why: the server refuses one already sampled in (end it early instead). */
function CancelRoundModal({
  open,
  round,
  onClose,
}: {
  open: boolean;
  round: TestRound;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const cancel = useMutation({
    mutationFn: (values: { reason: string }) =>
      api.post<TestRound>(`/test-rounds/${round.id}/cancel`, { reason: values.reason.trim() }),
    onSuccess: () => {
      onClose();
      void message.success(t('testing.round.cancelledDone', { name: round.name }));
      void queryClient.invalidateQueries({ queryKey: ['test-rounds'] });
    },
  });
  return (
    <ModalForm<{ reason: string }>
      open={open}
      title={t('testing.round.cancelTitle', { name: round.name })}
      submitText={t('testing.round.cancelConfirm')}
      danger
      pending={cancel.isPending}
      onSubmit={(values, form) => cancel.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="round-cancel-submit"
    >
      <Typography.Paragraph type="secondary">{t('testing.round.cancelHint')}</Typography.Paragraph>
      <Form.Item
        name="reason"
        label={t('testing.round.cancelReason')}
        rules={[{ required: true, whitespace: true, max: 200 }]}
      >
        <Input.TextArea
          rows={2}
          placeholder={t('testing.round.cancelReasonPlaceholder')}
          data-testid="round-cancel-reason"
        />
      </Form.Item>
    </ModalForm>
  );
}
