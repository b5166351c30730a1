import { PhoneOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Flex,
  Form,
  Input,
  Pagination,
  Spin,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { v7 as uuidv7 } from 'uuid';
import {
  feedbackIn,
  WORK_ITEM_TYPE_NAMES,
  type WorkItemState,
  workItemTitle,
} from '../../domain/permissions';
import { api } from '../api';
import { ModalForm } from '../components/ModalForm';
import { formatTime } from '../format';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import type { Page, WorkItem } from '../types';
import { useMe } from '../useMe';

const TABS: WorkItemState[] = ['open', 'overdue', 'done', 'cancelled'];
const STATE_COLORS: Record<WorkItemState, string> = {
  open: 'processing',
  overdue: 'error',
  done: 'success',
  cancelled: 'default',
};
const PAGE_SIZE = 20;

/**
 * The feedback modal: item and clientId outlive `open` so the modal keeps its content while it
 * fades out. One clientId per opening: a retry of the same answer reuses it and the server records
 * it once, while a later answer to the same item gets a new one. uuid rather than
 * crypto.randomUUID, which browsers withhold from pages served over plain http.
 */
interface Answering {
  open: boolean;
  item?: WorkItem;
  clientId?: string;
}

export function WorkItemsPage() {
  const { t } = useTranslation();
  const [state, setState] = useState<WorkItemState>('open');
  const [page, setPage] = useState(1);
  const [answering, setAnswering] = useState<Answering>({ open: false });

  const items = useQuery({
    queryKey: ['work-items', { mine: true, state, page, pageSize: PAGE_SIZE }],
    queryFn: () => api.get<Page<WorkItem>>('/work-items', { mine: true, state, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  return (
    <Card title={t('nav.workItems')}>
      <Tabs
        activeKey={state}
        onChange={(key) => {
          setState(key as WorkItemState);
          setPage(1);
        }}
        items={TABS.map((key) => ({ key, label: t(`workItems.state.${key}`) }))}
      />
      {items.error && <Alert type="error" showIcon title={items.error.message} />}
      {items.isPending ? (
        <Spin />
      ) : items.data?.items.length ? (
        <Flex vertical gap={12} data-testid="work-item-list">
          {items.data.items.map((item) => (
            <WorkItemCard
              key={item.id}
              item={item}
              onAnswer={() => setAnswering({ open: true, item, clientId: uuidv7() })}
            />
          ))}
          <Pagination
            align="end"
            current={page}
            pageSize={PAGE_SIZE}
            total={items.data.total}
            onChange={setPage}
            hideOnSinglePage
          />
        </Flex>
      ) : (
        <Empty description={t('workItems.none')} />
      )}
      {answering.item && answering.clientId && (
        <FeedbackModal
          item={answering.item}
          clientId={answering.clientId}
          open={answering.open}
          onClose={() => setAnswering((current) => ({ ...current, open: false }))}
        />
      )}
    </Card>
  );
}

/** A system item's title in the page's language (its particulars kept beside it); a task's own words. */
const titleOf = (item: WorkItem, language: string) =>
  (item.details && workItemTitle(item.type, item.details, language)) || item.title;

function WorkItemCard({ item, onAnswer }: { item: WorkItem; onAnswer: () => void }) {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const typeName = WORK_ITEM_TYPE_NAMES[item.type];
  return (
    <Card size="small" data-testid={`work-item-${item.id}`}>
      <Flex justify="space-between" align="start" gap={8} wrap>
        <Flex vertical gap={4} style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Typography.Text strong>{titleOf(item, i18n.language)}</Typography.Text>
          <Flex gap={4} wrap>
            <Tag color={STATE_COLORS[item.state]}>{t(`workItems.state.${item.state}`)}</Tag>
            <Tag>{typeName ? nameIn(i18n.language, typeName) : item.type}</Tag>
            {/* Found and sampled alone: no more calling, the single tube's result is awaited. */}
            {item.details?.resampledTube && !['done', 'cancelled'].includes(item.state) && (
              <Tag color="blue" data-testid={`work-item-resampled-${item.id}`}>
                {t('workItems.resampled', { tube: item.details.resampledTube })}
              </Tag>
            )}
          </Flex>
          <Typography.Text type="secondary">
            {t('workItems.due', { time: formatTime(item.dueAt) })}
            {item.assigneeOrgUnitName && ` · ${item.assigneeOrgUnitName}`}
          </Typography.Text>
          {item.feedback && (
            <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-line' }}>
              {feedbackIn(item.feedback, i18n.language)}
            </Typography.Paragraph>
          )}
          {/* A recheck, a resample or a positive case is about a person: their page has the address. */}
          {item.subjectEntity === 'person' && item.subjectId && can('resident.read') && (
            <Link to={`/residents/${item.subjectId}`} className="gw-tap" data-testid="work-item-person">
              {t('workItems.openPerson')}
            </Link>
          )}
          {item.actions.call && <CallPerson itemId={item.id} />}
        </Flex>
        {item.actions.feedback && (
          <Button type="primary" onClick={onAnswer} data-testid="work-item-feedback">
            {t('workItems.answer')}
          </Button>
        )}
      </Flex>
    </Card>
  );
}

/**
 * The phone of the person a recall is about, for its assignee: asked for with a tap (each look is
 * audited), then one more tap dials it.
 */
function CallPerson({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const contact = useMutation({
    mutationFn: () => api.post<{ phone: string | null }>(`/work-items/${itemId}/contact`),
    onError: (error) => showError(error),
  });
  if (contact.data)
    return contact.data.phone ? (
      <Button
        href={`tel:${contact.data.phone}`}
        icon={<PhoneOutlined />}
        style={{ alignSelf: 'flex-start' }}
        data-testid="work-item-dial"
      >
        {t('workItems.dial', { phone: contact.data.phone })}
      </Button>
    ) : (
      <Typography.Text type="secondary">{t('workItems.noPhone')}</Typography.Text>
    );
  return (
    <Button
      icon={<PhoneOutlined />}
      loading={contact.isPending}
      onClick={() => contact.mutate()}
      style={{ alignSelf: 'flex-start' }}
      data-testid="work-item-call"
    >
      {t('workItems.call')}
    </Button>
  );
}

interface FeedbackValues {
  feedback: string;
  done: boolean;
}

function FeedbackModal({
  item,
  clientId,
  open,
  onClose,
}: {
  item: WorkItem;
  clientId: string;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const send = useMutation({
    mutationFn: (values: FeedbackValues) =>
      api.post(`/work-items/${item.id}/feedback`, {
        clientId,
        feedback: values.feedback.trim(),
        done: values.done,
      }),
    onSuccess: () => {
      onClose();
      void message.success(t('workItems.sent'));
      void queryClient.invalidateQueries({ queryKey: ['work-items'] });
    },
  });

  return (
    <ModalForm<FeedbackValues>
      open={open}
      title={titleOf(item, i18n.language)}
      initialValues={{ done: false }}
      pending={send.isPending}
      onSubmit={(values, form) => send.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="work-item-submit"
    >
      <Form.Item
        name="feedback"
        label={t('workItems.feedback')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input.TextArea rows={4} maxLength={2000} showCount data-testid="work-item-feedback-text" />
      </Form.Item>
      <Form.Item name="done" valuePropName="checked">
        <Checkbox data-testid="work-item-done">{t('workItems.markDone')}</Checkbox>
      </Form.Item>
    </ModalForm>
  );
}
