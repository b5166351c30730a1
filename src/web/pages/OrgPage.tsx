import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Row,
  Select,
  Spin,
  Tree,
} from 'antd';
import { type Key, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ORG_CHILD_LEVELS,
  ORG_LEVEL_NAMES,
  ORG_UNIT_CODE_MAX,
  ORG_UNIT_NAME_MAX,
  type OrgLevel,
} from '../../domain/permissions';
import { api } from '../api';
import { ModalForm } from '../components/ModalForm';
import { useShowError } from '../forms';
import { localized } from '../i18n';
import type { OrgUnit, OrgUnitDetail } from '../types';
import { useOrgTree } from '../useOrgTree';

function useLevelName() {
  const { i18n } = useTranslation();
  return (level: OrgLevel) => localized(i18n.language, ORG_LEVEL_NAMES[level].zh, ORG_LEVEL_NAMES[level].en);
}

/** An emptied code is no code (null), not an empty string. */
const codeOrNull = (code: string | undefined) => code?.trim() || null;

export function OrgPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { treeData, loadChildren, isPending, error } = useOrgTree();
  const [selectedId, setSelectedId] = useState<string>();
  const [expandedKeys, setExpandedKeys] = useState<Key[]>([]);

  // After a child is added its parent may have been a leaf: reload, then open it to show the child.
  const showNewChild = async (parentId: string) => {
    await queryClient.invalidateQueries({ queryKey: ['org-units'] });
    await loadChildren(parentId);
    setExpandedKeys((keys) => (keys.includes(parentId) ? keys : [...keys, parentId]));
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={10}>
        <Card title={t('org.title')}>
          {error && <Alert type="error" showIcon title={error.message} />}
          {isPending ? (
            <Spin />
          ) : (
            <Tree
              data-testid="org-tree"
              treeData={treeData}
              loadData={(node) => loadChildren(String(node.key))}
              expandedKeys={expandedKeys}
              onExpand={setExpandedKeys}
              selectedKeys={selectedId ? [selectedId] : []}
              onSelect={(keys) => setSelectedId(keys[0] === undefined ? undefined : String(keys[0]))}
              blockNode
              showLine
            />
          )}
        </Card>
      </Col>
      <Col xs={24} md={14}>
        {selectedId ? (
          <OrgUnitDetails id={selectedId} onChildCreated={showNewChild} />
        ) : (
          <Card>
            <Empty description={t('org.pick')} />
          </Card>
        )}
      </Col>
    </Row>
  );
}

function OrgUnitDetails({
  id,
  onChildCreated,
}: {
  id: string;
  onChildCreated: (parentId: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const levelName = useLevelName();
  const [adding, setAdding] = useState(false);
  const { data: unit, error } = useQuery({
    queryKey: ['org-units', 'detail', id],
    queryFn: () => api.get<OrgUnitDetail>(`/org-units/${id}`),
  });

  if (error) return <Alert type="error" showIcon title={error.message} />;
  if (!unit) return <Spin />;
  const path = [...unit.ancestors.map((ancestor) => ancestor.name), unit.name].join(' / ');

  return (
    <Card
      title={unit.name}
      extra={
        unit.actions.createChild && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="org-add-child">
            {t('org.addChild')}
          </Button>
        )
      }
    >
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: 'name', label: t('org.name'), children: unit.name },
          { key: 'level', label: t('org.level'), children: levelName(unit.level) },
          { key: 'code', label: t('org.code'), children: unit.code ?? '—' },
          { key: 'path', label: t('org.path'), children: path },
        ]}
      />
      {/* Keyed by id so switching units starts from that unit's values, not the last one's edits. */}
      {unit.actions.update && <OrgUnitEditForm key={unit.id} unit={unit} />}
      <OrgChildModal
        parent={unit}
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={() => onChildCreated(unit.id)}
      />
    </Card>
  );
}

interface EditValues {
  name: string;
  code?: string;
}

function OrgUnitEditForm({ unit }: { unit: OrgUnit }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const save = useMutation({
    mutationFn: ({ name, code }: EditValues) =>
      api.patch<OrgUnit>(`/org-units/${unit.id}`, { name, code: codeOrNull(code) }),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void queryClient.invalidateQueries({ queryKey: ['org-units'] });
    },
    onError: (error) => showError(error, form),
  });

  return (
    <Form<EditValues>
      form={form}
      layout="vertical"
      initialValues={{ name: unit.name, code: unit.code ?? undefined }}
      onFinish={(values) => save.mutate(values)}
      disabled={save.isPending}
      style={{ marginTop: 16, maxWidth: 480 }}
    >
      <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true }]}>
        <Input maxLength={ORG_UNIT_NAME_MAX} showCount data-testid="org-edit-name" />
      </Form.Item>
      {/* A rule, so that editing the code validates it again: the server's refusal set on it goes. */}
      <Form.Item name="code" label={t('org.code')} rules={[{ max: ORG_UNIT_CODE_MAX }]}>
        <Input maxLength={ORG_UNIT_CODE_MAX} data-testid="org-edit-code" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="org-edit-submit">
        {t('common.save')}
      </Button>
    </Form>
  );
}

interface ChildValues {
  name: string;
  level: OrgLevel;
  code?: string;
}

function OrgChildModal({
  parent,
  open,
  onClose,
  onCreated,
}: {
  parent: OrgUnit;
  open: boolean;
  onClose: () => void;
  onCreated: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const levelName = useLevelName();
  const showError = useShowError();
  const levels = ORG_CHILD_LEVELS[parent.level];
  const create = useMutation({
    mutationFn: ({ name, level, code }: ChildValues) =>
      api.post<OrgUnit>('/org-units', { parentId: parent.id, name, level, code: codeOrNull(code) }),
    onSuccess: async () => {
      onClose();
      void message.success(t('common.created'));
      await onCreated();
    },
  });

  return (
    <ModalForm<ChildValues>
      open={open}
      title={t('org.addChildTitle', { parent: parent.name })}
      initialValues={levels.length === 1 ? { level: levels[0] } : {}}
      pending={create.isPending}
      onSubmit={(values, form) => create.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="org-child-submit"
    >
      <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true }]}>
        <Input maxLength={ORG_UNIT_NAME_MAX} showCount data-testid="org-child-name" />
      </Form.Item>
      <Form.Item name="level" label={t('org.level')} rules={[{ required: true }]}>
        <Select
          data-testid="org-child-level"
          options={levels.map((level) => ({ value: level, label: levelName(level) }))}
        />
      </Form.Item>
      <Form.Item
        name="code"
        label={t('org.code')}
        extra={t('org.codeHint')}
        rules={[{ max: ORG_UNIT_CODE_MAX }]}
      >
        <Input maxLength={ORG_UNIT_CODE_MAX} data-testid="org-child-code" />
      </Form.Item>
    </ModalForm>
  );
}
