import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, DatePicker, Flex, Form, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { localDay } from '../../../domain/dates';
import { noted, phrased } from '../../../domain/language';
import { SAMPLING_MODE_NAMES, SAMPLING_MODES, type SamplingMode } from '../../../domain/testing';
import { api } from '../../api';
import { ModalForm } from '../../components/ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from '../../components/OrgUnitSelect';
import { DATE_FORMAT, roundDays } from '../../format';
import { useShowError } from '../../forms';
import { nameIn } from '../../i18n';
import { keyGroupsQuery } from '../../queries';
import { overlappingRoundsQuery, type TestRound } from '../../testingTypes';
import { useMe } from '../../useMe';

/**
 * Enter in a date field takes the date typed (the picker does that) but does not submit the form:
 * a date typed over the proposed one, not yet taken, created the round on the proposed day.
 */
const keepEnter = (event: KeyboardEvent) => {
  if (event.key === 'Enter') event.preventDefault();
};

/** A day before the district's today: a new round ending then could take no scan (the server refuses it). */
const hasPassed = (day: Dayjs) => day.format(DATE_FORMAT) < localDay();

interface RoundValues {
  name: string;
  orgUnit: OrgUnitChoice;
  startsOn: Dayjs;
  endsOn: Dayjs;
  defaultMode: SamplingMode;
  singleTubeKeyGroups?: string[];
}

/**
 * A new round (numbered after the highest so far), or a change to one: its name, days, mode and
 * single-tube groups. A round's area stays as created: its tubes and counts belong to it.
 */
export function RoundModal({
  open,
  nextNumber = 1,
  round,
  onClose,
}: {
  open: boolean;
  nextNumber?: number;
  /** The round to change; a new one when absent. */
  round?: TestRound;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const showError = useShowError();
  const { session } = useMe();
  const keyGroups = useQuery({ ...keyGroupsQuery, enabled: open });
  // Most users organise rounds for the one unit they are granted: start from it.
  const grant = session?.grants[0];
  const save = useMutation({
    mutationFn: (values: RoundValues) => {
      const fields = {
        name: values.name.trim(),
        startsOn: values.startsOn.format(DATE_FORMAT),
        endsOn: values.endsOn.format(DATE_FORMAT),
        defaultMode: values.defaultMode,
        singleTubeKeyGroups: values.singleTubeKeyGroups ?? [],
      };
      return round
        ? api.patch<TestRound>(`/test-rounds/${round.id}`, fields)
        : api.post<TestRound>('/test-rounds', { ...fields, orgUnitId: values.orgUnit.value });
    },
    onSuccess: (saved) => {
      onClose();
      void message.success(t(round ? 'common.saved' : 'common.created'));
      void queryClient.invalidateQueries({ queryKey: ['test-rounds'] });
      if (!round) navigate(`/testing/${saved.id}`);
    },
  });

  return (
    <ModalForm<RoundValues>
      open={open}
      title={t(round ? 'testing.round.edit' : 'testing.round.create')}
      initialValues={
        round
          ? {
              name: round.name,
              orgUnit: { value: round.orgUnitId, label: round.orgUnitName ?? '' },
              startsOn: dayjs(round.startsOn),
              endsOn: dayjs(round.endsOn),
              defaultMode: round.defaultMode,
              singleTubeKeyGroups: round.singleTubeKeyGroups,
            }
          : {
              name: t('testing.round.defaultName', { n: nextNumber }),
              orgUnit: grant ? { value: grant.orgUnitId, label: grant.orgUnitName } : undefined,
              // The district's day (周口), whatever the clock of the browser says.
              startsOn: dayjs(localDay()),
              endsOn: dayjs(localDay()),
              defaultMode: 'mix10',
            }
      }
      pending={save.isPending}
      onSubmit={(values, form) => save.mutate(values, { onError: (error) => showError(error, form) })}
      onClose={onClose}
      submitTestId="round-submit"
    >
      <Form.Item
        name="name"
        label={t('testing.round.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input data-testid="round-name" />
      </Form.Item>
      <Form.Item
        name="orgUnit"
        label={t('testing.round.unit')}
        extra={t(round ? 'testing.round.unitFixed' : 'testing.round.unitHint')}
        rules={[{ required: true, message: t('users.unitRequired') }]}
      >
        <OrgUnitSelect disabled={Boolean(round)} data-testid="round-unit" />
      </Form.Item>
      <Flex gap={12}>
        <Form.Item
          name="startsOn"
          label={t('testing.round.startsOn')}
          rules={[{ required: true }]}
          style={{ flex: 1 }}
        >
          <DatePicker style={{ width: '100%' }} onKeyDown={keepEnter} data-testid="round-starts-on" />
        </Form.Item>
        <Form.Item
          name="endsOn"
          label={t('testing.round.endsOn')}
          dependencies={['startsOn']}
          style={{ flex: 1 }}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: async (_, value: Dayjs | undefined) => {
                const from: Dayjs | undefined = getFieldValue('startsOn');
                if (value && from && value.isBefore(from, 'day'))
                  throw new Error(t('testing.round.endBeforeStart'));
                // A new round already over could take no scan (the server refuses it too).
                if (!round && value && hasPassed(value))
                  throw new Error(t('testing.round.endPassed', { today: localDay() }));
              },
            }),
          ]}
        >
          <DatePicker
            style={{ width: '100%' }}
            onKeyDown={keepEnter}
            disabledDate={round ? undefined : hasPassed}
            data-testid="round-ends-on"
          />
        </Form.Item>
      </Flex>
      <OverlappingRounds roundId={round?.id} />
      <Form.Item
        name="defaultMode"
        label={t('testing.round.defaultMode')}
        extra={t('testing.round.modeHint')}
        rules={[{ required: true }]}
      >
        <Select
          options={SAMPLING_MODES.map((mode) => ({
            value: mode,
            label: nameIn(i18n.language, SAMPLING_MODE_NAMES[mode]),
          }))}
          data-testid="round-mode"
        />
      </Form.Item>
      <Form.Item
        name="singleTubeKeyGroups"
        label={t('testing.round.singleTubeKeyGroups')}
        extra={t('testing.round.singleTubeHint')}
      >
        <Select
          mode="multiple"
          allowClear
          loading={keyGroups.isPending}
          options={(keyGroups.data?.items ?? [])
            .filter((group) => group.active)
            .map((group) => ({ value: group.code, label: group.name }))}
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('testing.round.noSingleTubeGroups')}
          data-testid="round-key-groups"
        />
      </Form.Item>
    </ModalForm>
  );
}

/**
 * Other rounds over the same people on the same days, as the unit and days are chosen: each round
 * counts apart (a person sampled in one is still missing in the other), so a second round set up
 * by mistake over a village the district is already testing is seen before it confuses the field.
 */
function OverlappingRounds({ roundId }: { roundId?: string }) {
  const { t, i18n } = useTranslation();
  const orgUnit = Form.useWatch<OrgUnitChoice | undefined>('orgUnit');
  const startsOn = Form.useWatch<Dayjs | null | undefined>('startsOn');
  const endsOn = Form.useWatch<Dayjs | null | undefined>('endsOn');
  const from = startsOn?.format(DATE_FORMAT) ?? '';
  const to = endsOn?.format(DATE_FORMAT) ?? '';
  const overlapping = useQuery({
    ...overlappingRoundsQuery(orgUnit?.value ?? '', from, to),
    enabled: Boolean(orgUnit?.value && from && to && from <= to),
  });
  const others = (overlapping.data?.items ?? []).filter((other) => other.id !== roundId);
  if (others.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="round-overlap"
      message={t('testing.round.overlapTitle', { count: others.length })}
      description={
        <>
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {others.map((other) => (
              <li key={other.id}>
                {noted(
                  other.name,
                  phrased(
                    [other.orgUnitName, roundDays(other)].filter((part) => part !== null),
                    i18n.language,
                  ),
                  i18n.language,
                )}
              </li>
            ))}
          </ul>
          {t('testing.round.overlapHint')}
        </>
      }
    />
  );
}
