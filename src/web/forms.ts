import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import { refusalText } from './apiError';

// The server names nested fields with dots ("grants.0.role"); antd wants a path array.
const toNamePath = (field: string) =>
  field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

// A unit is picked with its name (OrgUnitSelect, labelInValue) in a field without the API's "Id".
const FORM_FIELD_OF: Record<string, string> = { orgUnitId: 'orgUnit' };
const formFieldsOf = (field: string) => [field, ...(FORM_FIELD_OF[field] ? [FORM_FIELD_OF[field]] : [])];

/** Puts the server's per-field messages under the form's fields. */
export function applyFieldErrors(form: FormInstance, error: unknown) {
  if (!(error instanceof ApiError)) return;
  form.setFields(
    Object.entries(error.fields).flatMap(([field, text]) =>
      formFieldsOf(field).map((name) => ({ name: toNamePath(name), errors: [text] })),
    ),
  );
}

/** Shows a failed call's message, and its field messages under the form's fields when given one. */
export function useShowError() {
  const { message } = App.useApp();
  const { i18n } = useTranslation();
  return useCallback(
    (error: unknown, form?: FormInstance) => {
      if (form) applyFieldErrors(form, error);
      // A field message shown under a field of the form is said there; the pop-up names the
      // others in words, never by the API key the message carries for the tools that call it.
      const shownOnForm = (field: string) =>
        form !== undefined &&
        formFieldsOf(field).some((name) => form.getFieldError(toNamePath(name)).length > 0);
      void message.error(refusalText(error, i18n.language, shownOnForm));
    },
    [message, i18n],
  );
}
