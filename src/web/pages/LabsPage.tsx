import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ModalForm } from '../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../components/OrgUnitSelect';
import { UserSelect } from '../components/UserSelect';
import { useShowError } from '../forms';
import { labsQuery } from '../queries';
import type { Lab } from '../testingTypes';
import { touchSize } from '../touch';
import { useMe } from '../useMe';

/** The modal: `lab` outlives `open` so the modal keeps its content while it fades out. */
interface Editing {
  open: boolean;
  lab?: Lab;
}

/** The labs tubes are handed to (检测机构), kept by the command centre with their teams. */
export function LabsPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const labs = useQuery(labsQuery);
  const [editing, setEditing] = useState<Editing>({ open: false });
  const setActive = useMutation({
    mutationFn: ({ lab, active }: { lab: Lab; active: boolean }) =>
      api.patch<Lab>(`/labs/${lab.id}`, { active }),
    onSuccess: (lab) => {
      void message.success(lab.active ? t('testing.labs.resumed') : t('testing.labs.stopped'));
      void queryClient.invalidateQueries({ queryKey: ['labs'] });
    },
    onError: (error) => showError(error),
  });

  const columns: TableColumnsType<Lab> = [
    {
      title: t('testing.labs.name'),
      dataIndex: 'name',
      render: (name: string, lab) => (
        <Space size={4} wrap>
          <Typography.Text strong>{name}</Typography.Text>
          {lab.mine && <Tag color="blue">{t('testing.labs.mine')}</Tag>}
        </Space>
      ),
    },
    { title: t('testing.labs.unit'), dataIndex: 'orgUnitName' },
    {
      title: t('testing.labs.members'),
      dataIndex: 'members',
      render: (members: Lab['members']) =>
        members.length === 0 ? (
          <Typography.Text type="secondary">{t('testing.labs.noMembers')}</Typography.Text>
        ) : (
          <Flex gap={4} wrap>
            {members.map((member) => (
              <Tag key={member.id} style={{ marginInlineEnd: 0 }}>
                {member.displayName}
              </Tag>
            ))}
          </Flex>
        ),
    },
    {
      title: t('testing.labs.active'),
      dataIndex: 'active',
      render: (active: boolean) =>
        active ? (
          <Tag color="success">{t('testing.labs.activeYes')}</Tag>
        ) : (
          <Tag>{t('testing.labs.activeNo')}</Tag>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      // On a phone the table scrolls sideways: its buttons stay in sight at the right.
      fixed: 'right',
      render: (_: unknown, lab) =>
        lab.actions.manage && (
          <Space size={4}>
            <Button
              size={touchSize('small')}
              icon={<EditOutlined />}
              onClick={() => setEditing({ open: true, lab })}
              data-testid={`lab-edit-${lab.name}`}
            >
              {t('common.edit')}
            </Button>
            <Button
              size={touchSize('small')}
              danger={lab.active}
              loading={setActive.isPending && setActive.variables?.lab.id === lab.id}
              onClick={() =>
                lab.active
                  ? // Stopping a lab takes it off every hand-over list: asked first, not done by a slip.
                    modal.confirm({
                      title: t('testing.labs.stopConfirm', { name: lab.name }),
                      content: t('testing.labs.stopConfirmText'),
                      okText: t('testing.labs.stop'),
                      okButtonProps: { danger: true },
                      // Kept open while stopping; a refusal is said by the mutation's onError.
                      onOk: () => setActive.mutateAsync({ lab, active: false }).catch(() => {}),
                    })
                  : setActive.mutate({ lab, active: true })
              }
            >
              {lab.active ? t('testing.labs.stop') : t('testing.labs.resume')}
            </Button>
          </Space>
        ),
    },
  ];

  return (
    <Card
      title={t('nav.labs')}
      extra={
        can('testing.manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ open: true })}
            data-testid="lab-create"
          >
            {t('testing.labs.create')}
          </Button>
        )
      }
    >
      <Alert type="info" showIcon title={t('testing.labs.note')} style={{ marginBottom: 16 }} />
      {labs.error && <Alert type="error" showIcon title={labs.error.message} style={{ marginBottom: 16 }} />}
      <Table<Lab>
        rowKey="id"
        columns={columns}
        dataSource={labs.data?.items}
        loading={labs.isFetching}
        scroll={{ x: 'max-content' }}
        pagination={false}
        data-testid="lab-table"
      />
      <LabModal
        open={editing.open}
        lab={editing.lab}
        onClose={() => setEditing((current) => ({ ...current, open: false }))}
      />
    </Card>
  );
}

interface LabValues {
  name: string;
  orgUnit: OrgUnitChoice;
  memberUserIds?: string[];
}

function LabModal({ lab, open, onClose }: { lab?: Lab; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useMe();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const save = useMutation({
    mutationFn: (values: LabValues) =>
      lab
        ? api.patch<Lab>(`/labs/${lab.id}`, {
            name: values.name.trim(),
            ...(values.memberUserIds ? { memberUserIds: values.memberUserIds } : {}),
          })
        : api.post<Lab>('/labs', {
            name: values.name.trim(),
            orgUnitId: values.orgUnit.value,
            memberUserIds: values.memberUserIds ?? [],
          }),
    onSuccess: () => {
      onClose();
      void message.success(lab ? t('common.saved') : t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['labs'] });
    },
  });
  return (
    <ModalForm<LabValues>
      open={open}
      title={lab ? t('testing.labs.editTitle', { name: lab.name }) : t('testing.labs.create')}
      initialValues={
        lab
          ? {
              name: lab.name,
              orgUnit: { value: lab.orgUnitId, label: lab.orgUnitName },
              memberUserIds: lab.members.map((member) => member.id),
            }
          : {}
      }
      pending={save.isPending}
      onSubmit={(values, form) => save.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="lab-submit"
    >
      <Form.Item
        name="name"
        label={t('testing.labs.name')}
        rules={[{ required: true, whitespace: true, max: 100 }]}
      >
        <Input placeholder={t('testing.labs.namePlaceholder')} data-testid="lab-name" />
      </Form.Item>
      <Form.Item
        name="orgUnit"
        label={t('testing.labs.unit')}
        extra={t('testing.labs.unitHint')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        {/* A lab's area is fixed: a lab serving elsewhere is another lab. */}
        <OrgUnitSelect disabled={Boolean(lab)} data-testid="lab-unit" />
      </Form.Item>
      {/* Choosing people needs the user list. */}
      {can('user.read') && (
        <Form.Item
          name="memberUserIds"
          label={t('testing.labs.members')}
          extra={t('testing.labs.membersHint')}
        >
          <LabStaffSelect
            names={Object.fromEntries((lab?.members ?? []).map((member) => [member.id, member.displayName]))}
          />
        </Form.Item>
      )}
    </ModalForm>
  );
}

/** The lab's team, from those who may work it over its whole area (anyone else is refused on save). */
function LabStaffSelect({
  names,
  value,
  onChange,
}: {
  names: Record<string, string>;
  value?: string[];
  onChange?: (value: string[]) => void;
}) {
  const { t } = useTranslation();
  const orgUnit = Form.useWatch<OrgUnitChoice | undefined>('orgUnit');
  // Another area, another team: who was picked for the last one may not work this one (a new
  // lab's unit changed; an edited lab's is fixed, so its team is never cleared).
  const unitId = orgUnit?.value;
  const pickedFor = useRef(unitId);
  useEffect(() => {
    if (pickedFor.current !== undefined && pickedFor.current !== unitId) onChange?.([]);
    pickedFor.current = unitId;
  }, [unitId, onChange]);
  return (
    <UserSelect
      labStaffFor={orgUnit?.value}
      disabled={!orgUnit}
      names={names}
      value={value}
      onChange={onChange}
      placeholder={t('testing.labs.membersPlaceholder')}
      data-testid="lab-members"
    />
  );
}
