import { Button, Flex, Form, type FormInstance, Modal } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface ModalFormProps<Values> {
  open: boolean;
  title: ReactNode;
  /** Owned by the caller, so it can put the server's field errors under the fields. */
  form: FormInstance<Values>;
  initialValues?: Partial<Values>;
  pending: boolean;
  onSubmit: (values: Values) => void;
  onClose: () => void;
  submitText?: string;
  submitTestId?: string;
  children: ReactNode;
}

/**
 * A single-column form in a modal. Its buttons sit inside the form so Enter submits, and it is
 * rebuilt on every opening (destroyOnHidden with preserve=false), so it never shows stale input.
 */
export function ModalForm<Values>({
  open,
  title,
  form,
  initialValues,
  pending,
  onSubmit,
  onClose,
  submitText,
  submitTestId,
  children,
}: ModalFormProps<Values>) {
  const { t } = useTranslation();
  return (
    <Modal open={open} title={title} onCancel={onClose} footer={null} destroyOnHidden>
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={initialValues}
        onFinish={onSubmit}
        disabled={pending}
      >
        {children}
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={pending} data-testid={submitTestId}>
            {submitText ?? t('common.submit')}
          </Button>
        </Flex>
      </Form>
    </Modal>
  );
}
