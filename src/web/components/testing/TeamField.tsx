import { Form } from 'antd';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../../useMe';
import type { OrgUnitChoice } from '../OrgUnitSelect';
import { UserSelect } from '../UserSelect';

/**
 * The `samplerUserIds` field of a point's or a door-to-door team's form. Choosing people needs the
 * user list: without it the field is not offered, and the team is any sampler of the area.
 * It offers who may sample in the form's unit (`orgUnit`): a district's hundreds of users are not
 * all samplers. So the unit comes first, and a team chosen for one unit is not kept for another
 * (it would look allowed there until the server refused it).
 */
export function TeamField({
  label,
  extra,
  testId,
  names,
}: {
  label: ReactNode;
  extra: ReactNode;
  testId: string;
  /** The names of an edited team's members, shown before any search finds them. */
  names?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const { can } = useMe();
  const form = Form.useFormInstance();
  const unit = Form.useWatch<OrgUnitChoice | undefined>('orgUnit', form)?.value;
  const shownFor = useRef(unit);
  useEffect(() => {
    // The form's first unit (an edited point's own) is not a change.
    if (shownFor.current !== undefined && unit !== shownFor.current) form.setFieldValue('samplerUserIds', []);
    shownFor.current = unit;
  }, [unit, form]);
  if (!can('user.read')) return null;
  return (
    <Form.Item name="samplerUserIds" label={label} extra={extra}>
      <UserSelect
        samplersFor={unit}
        names={names}
        disabled={!unit}
        placeholder={unit ? undefined : t('testing.points.samplersUnitFirst')}
        data-testid={testId}
      />
    </Form.Item>
  );
}
