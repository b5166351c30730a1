import { Button, Flex, Form, type FormInstance, Modal } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface ModalFormProps<Values> {
  open: boolean;
  title: ReactNode;
  initialValues?: Partial<Values>;
  pending: boolean;
  /** Gets the form too, so a failed call can put the server's field errors under the fields. */
  onSubmit: (values: Values, form: FormInstance<Values>) => void;
  onClose: () => void;
  submitText?: string;
  /** The submit does something hard to undo (cancelling a round): a red button. */
  danger?: boolean;
  submitTestId?: string;
  children: ReactNode;
}

/**
 * A single-column form in a modal; its buttons sit inside the form so Enter submits.
 * Each opening gets a new form (a new key, so a new store): it starts from `initialValues` even
 * when it reopens for another record while the last closing still animates, which a reused antd
 * form does not do (it applies initialValues only when it mounts).
 */
export function ModalForm<Values>(props: ModalFormProps<Values>) {
  const [openings, setOpenings] = useState(0);
  const [wasOpen, setWasOpen] = useState(props.open);
  if (props.open !== wasOpen) {
    setWasOpen(props.open);
    if (props.open) setOpenings(openings + 1);
  }
  return (
    // Destroyed when hidden so a closed form leaves no inputs (and typed text) in the page.
    <Modal
      open={props.open}
      // A long title (a work item's, on a phone) wraps clear of the close button instead of under it.
      title={<div style={{ paddingInlineEnd: 28, overflowWrap: 'anywhere' }}>{props.title}</div>}
      onCancel={props.onClose}
      footer={null}
      destroyOnHidden
    >
      <ModalFormBody<Values> key={openings} {...props} />
    </Modal>
  );
}

function ModalFormBody<Values>({
  initialValues,
  pending,
  onSubmit,
  onClose,
  submitText,
  danger,
  submitTestId,
  children,
}: ModalFormProps<Values>) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      initialValues={initialValues}
      onFinish={(values) => onSubmit(values, form)}
      disabled={pending}
    >
      {children}
      <Flex justify="end" gap={8}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" danger={danger} htmlType="submit" loading={pending} data-testid={submitTestId}>
          {submitText ?? t('common.submit')}
        </Button>
      </Flex>
    </Form>
  );
}
