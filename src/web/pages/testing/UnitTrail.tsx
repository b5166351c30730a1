import { ApartmentOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Breadcrumb, Button } from 'antd';
import type { OrgUnitChoice } from '../../components/OrgUnitSelect';
import { coverageQuery } from '../../testingTypes';

export interface UnitTrailProps {
  roundId: string;
  /** The units drilled into below the round's own node (or the user's part of it). */
  trail: OrgUnitChoice[];
  onTrail: (trail: OrgUnitChoice[]) => void;
}

/** Where in the round's tree the page stands; each step back up is a click. */
export function UnitTrail({ roundId, trail, onTrail }: UnitTrailProps) {
  // The round's top as this user sees it: the server answers their own subtree when the round's
  // node is wider than their grant. Cached: the coverage tab asked the same.
  const top = useQuery(coverageQuery(roundId));
  const steps = [{ value: '', label: top.data?.orgUnitName ?? '…' }, ...trail];
  return (
    <Breadcrumb
      data-testid="coverage-trail"
      items={steps.map((step, index) => {
        const last = index === steps.length - 1;
        return {
          key: step.value || 'top',
          title: last ? (
            <span style={{ fontWeight: 600 }}>
              {index === 0 && <ApartmentOutlined style={{ marginInlineEnd: 4 }} />}
              {step.label}
            </span>
          ) : (
            <Button
              type="link"
              size="small"
              style={{ padding: 0, height: 'auto' }}
              onClick={() => onTrail(trail.slice(0, index))}
              data-testid={`coverage-crumb-${index}`}
            >
              {index === 0 && <ApartmentOutlined />}
              {step.label}
            </Button>
          ),
        };
      })}
    />
  );
}
