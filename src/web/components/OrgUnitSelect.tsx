import { TreeSelect } from 'antd';
import { useTranslation } from 'react-i18next';
import { useOrgTree } from '../useOrgTree';

/** A chosen unit with its name: units deep in the tree show their name before their level is loaded. */
export interface OrgUnitChoice {
  value: string;
  label: string;
}

interface OrgUnitSelectProps {
  value?: OrgUnitChoice;
  onChange?: (value: OrgUnitChoice) => void;
  'data-testid'?: string;
}

/** Picks an org unit from the tree, loading each level on expand like the org page does. */
export function OrgUnitSelect({ value, onChange, 'data-testid': testId }: OrgUnitSelectProps) {
  const { t } = useTranslation();
  const { treeData, loadChildren, isPending } = useOrgTree();
  return (
    <TreeSelect
      labelInValue
      value={value}
      onChange={onChange}
      treeData={treeData}
      loadData={(node) => loadChildren(String(node.value))}
      loading={isPending}
      placeholder={t('users.pickUnit')}
      showSearch={{ treeNodeFilterProp: 'title' }}
      popupMatchSelectWidth={false}
      data-testid={testId}
      style={{ width: '100%' }}
    />
  );
}
