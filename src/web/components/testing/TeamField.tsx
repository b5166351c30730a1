import { Form } from 'antd';
import type { ReactNode } from 'react';
import { useMe } from '../../useMe';
import type { OrgUnitChoice } from '../OrgUnitSelect';
import { UserSelect } from '../UserSelect';

/**
 * The `samplerUserIds` field of a point's or a door-to-door team's form. Choosing people needs the
 * user list: without it the field is not offered, and the team is any sampler of the area.
 */
export function TeamField({ label, extra, testId }: { label: ReactNode; extra: ReactNode; testId: string }) {
  const { can } = useMe();
  // Offered: who may sample in the form's unit (a district's hundreds of users are not all samplers).
  const unit = Form.useWatch<OrgUnitChoice | undefined>('orgUnit', Form.useFormInstance());
  if (!can('user.read')) return null;
  return (
    <Form.Item name="samplerUserIds" label={label} extra={extra}>
      <UserSelect samplersFor={unit?.value} data-testid={testId} />
    </Form.Item>
  );
}
