import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  DOCUMENT_TYPE_NAMES,
  DOCUMENT_TYPES,
  type DocumentType,
  parseDocument,
  parseIdNumber,
} from '../../domain/id-number';
import { normalizeMobile } from '../../domain/phone';
import { RESIDENCE_STATUS_NAMES, RESIDENCE_STATUSES, type ResidenceStatus } from '../../domain/residents';
import { ApiError, api } from '../api';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { keyGroupsQuery } from '../queries';
import { touchSize } from '../touch';
import type { Household, Page, Resident, ResidentDetail } from '../types';
import { useMe } from '../useMe';
import { ModalForm } from './ModalForm';
import { type OrgUnitChoice, OrgUnitSelect } from './OrgUnitSelect';

/** A chosen household with its label, as the select shows it before its page of options loads. */
interface HouseholdChoice {
  value: string;
  label: string;
}

interface ResidentFormValues {
  name: string;
  documentType: DocumentType;
  idNumber?: string;
  phone?: string;
  grid: OrgUnitChoice;
  household?: HouseholdChoice;
  address: string;
  residenceStatus: ResidenceStatus;
  keyGroups: string[];
}

const toInitialValues = (
  resident: ResidentDetail | undefined,
  ownGrid: ResidentFormValues['grid'] | undefined,
): Partial<ResidentFormValues> =>
  resident
    ? {
        name: resident.name,
        documentType: resident.documentType,
        grid: { value: resident.gridId, label: resident.gridName },
        household: resident.household
          ? { value: resident.household.id, label: resident.household.address }
          : undefined,
        address: resident.address,
        residenceStatus: resident.residenceStatus,
        keyGroups: resident.keyGroups.map((group) => group.code),
      }
    : { documentType: 'id_card', residenceStatus: 'at_home', keyGroups: [], grid: ownGrid };

// The form has validated both already; the server gets the normalised form (upper-case X, 18
// digits for a legacy 15-digit ID, a phone without +86 or spaces).
const normalizedDocument = (type: DocumentType, input: string) => {
  const check = parseDocument(type, input);
  return check.ok ? check.value : input;
};

/**
 * ID number and phone are write-only, as on the user form: the record shows them masked, so on an
 * edit an empty field means "keep", and a document type is sent only with the number it goes with.
 */
function toRequest(values: ResidentFormValues, resident?: ResidentDetail) {
  const idNumber = values.idNumber?.trim()
    ? normalizedDocument(values.documentType, values.idNumber)
    : undefined;
  const phone = values.phone?.trim() ? (normalizeMobile(values.phone) ?? values.phone) : undefined;
  return {
    name: values.name,
    ...(idNumber && { documentType: values.documentType, idNumber }),
    phone,
    ...placement(values, resident),
    address: values.address,
    residenceStatus: values.residenceStatus,
    keyGroups: keyGroupsChanged(values.keyGroups, resident) ? values.keyGroups : undefined,
  };
}

// Sent only when changed: a class that has since ended stays on the people who had it, but the
// server accepts only classes in effect in a list it is sent.
const keyGroupsChanged = (codes: string[], resident?: ResidentDetail) =>
  !resident ||
  codes.length !== resident.keyGroups.length ||
  resident.keyGroups.some((group) => !codes.includes(group.code));

/**
 * Where the resident lives, sent only when it is new or changed, as the server takes it: a
 * household (which carries its grid), or else a grid, where the server gives a new resident a
 * household of their own and an existing one leaves theirs.
 */
function placement({ grid, household }: ResidentFormValues, resident?: ResidentDetail) {
  const unchanged =
    resident && grid.value === resident.gridId && (household?.value ?? null) === resident.householdId;
  if (unchanged) return {};
  return household ? { householdId: household.value } : { gridId: grid.value };
}

/** Registers a resident, or edits one when `resident` is given. */
export function ResidentFormModal({
  resident,
  open,
  onClose,
}: {
  resident?: ResidentDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const showError = useShowError();
  // A 409 on the ID number names the resident who holds it: the user most likely wants that record.
  const [existingId, setExistingId] = useState<string>();
  // A grid worker of one grid registers people there: their grid is chosen for them.
  const { session } = useMe();
  const grants = session?.grants ?? [];
  const ownGrid =
    grants.length === 1 && grants[0]?.role === 'grid_worker'
      ? { value: grants[0].orgUnitId, label: grants[0].orgUnitName }
      : undefined;

  const close = () => {
    setExistingId(undefined);
    onClose();
  };

  const save = useMutation({
    mutationFn: (values: ResidentFormValues) =>
      resident
        ? api.patch<Resident>(`/residents/${resident.id}`, toRequest(values, resident))
        : api.post<Resident>('/residents', toRequest(values)),
    onMutate: () => setExistingId(undefined),
    onSuccess: () => {
      close();
      void message.success(resident ? t('common.saved') : t('common.created'));
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
      void queryClient.invalidateQueries({ queryKey: ['households'] });
    },
  });

  return (
    <ModalForm<ResidentFormValues>
      open={open}
      title={resident ? t('residents.editTitle', { name: resident.name }) : t('residents.create')}
      initialValues={toInitialValues(resident, ownGrid)}
      pending={save.isPending}
      onSubmit={(values, form) =>
        save.mutate(values, {
          onError: (error) => {
            if (error instanceof ApiError && error.status === 409 && error.existingId) {
              setExistingId(error.existingId);
              form.setFields([{ name: 'idNumber', errors: [t('residents.duplicate')] }]);
            } else {
              showError(error, form);
            }
          },
        })
      }
      onClose={close}
      submitTestId="resident-submit"
    >
      <ResidentFields resident={resident} />
      {existingId && (
        <Alert
          type="warning"
          showIcon
          title={t('residents.duplicate')}
          action={
            <Button
              size={touchSize('small')}
              onClick={() => {
                close();
                navigate(`/residents/${existingId}`);
              }}
              data-testid="resident-open-existing"
            >
              {t('residents.openExisting')}
            </Button>
          }
          style={{ marginBottom: 16 }}
          data-testid="resident-duplicate"
        />
      )}
    </ModalForm>
  );
}

/** The fields, inside the form so they can watch and set each other. */
function ResidentFields({ resident }: { resident?: ResidentDetail }) {
  const { t, i18n } = useTranslation();
  const form = Form.useFormInstance<ResidentFormValues>();
  const grid = Form.useWatch('grid', form);
  const keyGroups = useQuery(keyGroupsQuery);
  // What a valid ID card number says (birth date, sex), as it is typed; else what is on file.
  const documentType = Form.useWatch('documentType', form);
  const idInput = Form.useWatch('idNumber', form);
  const idCheck = documentType === 'id_card' && idInput ? parseIdNumber(idInput) : undefined;
  const idExtra = idCheck?.ok ? (
    <span data-testid="resident-id-derived">
      {t('residents.derived', { birthDate: idCheck.birthDate, sex: t(`residents.sexes.${idCheck.sex}`) })}
    </span>
  ) : (
    resident && t('residents.current', { value: resident.idNumber })
  );

  return (
    <>
      <Form.Item name="name" label={t('residents.name')} rules={[{ required: true, whitespace: true }]}>
        <Input autoComplete="off" data-testid="resident-name" />
      </Form.Item>
      <Form.Item name="documentType" label={t('residents.documentType')} rules={[{ required: true }]}>
        <Select
          options={DOCUMENT_TYPES.map((type) => ({
            value: type,
            label: nameIn(i18n.language, DOCUMENT_TYPE_NAMES[type]),
          }))}
          data-testid="resident-document-type"
        />
      </Form.Item>
      <Form.Item
        name="idNumber"
        label={t('residents.idNumber')}
        required={!resident}
        dependencies={['documentType']}
        // Checked when the user leaves the field: "should have 18 characters" at the first digit
        // would only be noise. The birth date and sex below follow each keystroke.
        validateTrigger="onBlur"
        rules={[
          ({ getFieldValue }) => ({
            required: !resident || getFieldValue('documentType') !== resident.documentType,
            message: t('residents.idRequired'),
          }),
          ({ getFieldValue }) => ({
            validator: async (_, value: string | undefined) => {
              if (!value?.trim()) return;
              const check = parseDocument(getFieldValue('documentType'), value);
              if (!check.ok) throw new Error(nameIn(i18n.language, check.reason));
            },
          }),
        ]}
        extra={idExtra}
      >
        <Input autoComplete="off" spellCheck={false} data-testid="resident-id-number" />
      </Form.Item>
      <Form.Item
        name="phone"
        label={t('residents.phone')}
        validateTrigger="onBlur"
        rules={[
          {
            validator: async (_, value: string | undefined) => {
              if (value?.trim() && normalizeMobile(value) === null)
                throw new Error(t('residents.phoneInvalid'));
            },
          },
        ]}
        extra={resident?.phone ? t('residents.current', { value: resident.phone }) : undefined}
      >
        <Input inputMode="tel" autoComplete="off" data-testid="resident-phone" />
      </Form.Item>
      <Form.Item
        name="grid"
        label={t('residents.grid')}
        rules={[{ required: true, message: t('residents.gridRequired') }]}
      >
        {/* A household lies in one grid: another grid's household no longer fits. */}
        <OrgUnitSelect
          onlyLevel="grid"
          placeholder={t('residents.pickGrid')}
          onChange={() => form.setFieldValue('household', undefined)}
          data-testid="resident-grid"
        />
      </Form.Item>
      <Form.Item name="household" label={t('residents.household')} extra={t('residents.householdHint')}>
        <HouseholdSelect
          gridId={grid?.value}
          onPicked={(household) => {
            // Members of a household usually share its address: offer it, but never overwrite one.
            if (!form.getFieldValue('address')?.trim()) form.setFieldValue('address', household.address);
          }}
        />
      </Form.Item>
      <Form.Item name="address" label={t('residents.address')} rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="resident-address" />
      </Form.Item>
      <Form.Item name="residenceStatus" label={t('residents.residenceStatus')} rules={[{ required: true }]}>
        <Select
          options={RESIDENCE_STATUSES.map((status) => ({
            value: status,
            label: nameIn(i18n.language, RESIDENCE_STATUS_NAMES[status]),
          }))}
          data-testid="resident-status"
        />
      </Form.Item>
      <Form.Item name="keyGroups" label={t('residents.keyGroups')}>
        <Select
          mode="multiple"
          allowClear
          loading={keyGroups.isPending}
          // Classes no longer in effect stay on the people who have them, but are not handed out.
          options={(keyGroups.data?.items ?? []).map((group) => ({
            value: group.code,
            label: group.name,
            disabled: !group.active,
          }))}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="resident-key-groups"
        />
      </Form.Item>
    </>
  );
}

function HouseholdSelect({
  gridId,
  value,
  onChange,
  onPicked,
}: {
  gridId?: string;
  value?: HouseholdChoice;
  onChange?: (value: HouseholdChoice | undefined) => void;
  onPicked: (household: Household) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = search.trim();
  const households = useQuery({
    queryKey: ['households', { gridId, q }],
    queryFn: () => api.get<Page<Household>>('/households', { gridId, q, pageSize: 50 }),
    enabled: Boolean(gridId),
    placeholderData: keepPreviousData,
  });
  const items = households.data?.items ?? [];

  return (
    <Select<HouseholdChoice>
      labelInValue
      allowClear
      value={value}
      onChange={(choice) => {
        onChange?.(choice);
        const household = items.find((item) => item.id === choice?.value);
        if (household) onPicked(household);
      }}
      disabled={!gridId}
      placeholder={gridId ? t('residents.householdSearch') : t('residents.pickGridFirst')}
      loading={households.isFetching}
      showSearch={{ searchValue: search, onSearch: setSearch, filterOption: false }}
      options={items.map((household) => ({
        value: household.id,
        label: t('residents.householdOption', { address: household.address, count: household.memberCount }),
      }))}
      data-testid="resident-household"
    />
  );
}
