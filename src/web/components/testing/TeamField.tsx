import { Form } from 'antd';
import type { ReactNode } from 'react';
import { useMe } from '../../useMe';
import { UserSelect } from '../UserSelect';

/**
 * The `samplerUserIds` field of a point's or a door-to-door team's form. Choosing people needs the
 * user list: without it the field is not offered, and the team is any sampler of the area.
 */
export function TeamField({ label, extra, testId }: { label: ReactNode; extra: ReactNode; testId: string }) {
  const { can } = useMe();
  if (!can('user.read')) return null;
  return (
    <Form.Item name="samplerUserIds" label={label} extra={extra}>
      <UserSelect data-testid={testId} />
    </Form.Item>
  );
}
