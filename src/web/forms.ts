import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { ApiError } from './api';

// The server names nested fields with dots ("grants.0.role"); antd wants a path array.
const toNamePath = (field: string) =>
  field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

/** Puts the server's per-field messages under the form's fields. */
export function applyFieldErrors(form: FormInstance, error: unknown) {
  if (!(error instanceof ApiError)) return;
  form.setFields(
    Object.entries(error.fields).map(([field, text]) => ({ name: toNamePath(field), errors: [text] })),
  );
}

/** Shows a failed call's message, and its field messages under the form's fields when given one. */
export function useShowError() {
  const { message } = App.useApp();
  return useCallback(
    (error: unknown, form?: FormInstance) => {
      if (form) applyFieldErrors(form, error);
      // Every field message shown under a field of the form: the pop-up says the first in the
      // field's own words (the API's message names the field by its key, samplerUserIds, for the
      // tools that call it). One that found no field keeps the API's message, key and all.
      const fields = error instanceof ApiError ? Object.entries(error.fields) : [];
      const allOnForm =
        form !== undefined &&
        fields.length > 0 &&
        fields.every(([name]) => form.getFieldError(toNamePath(name)).length > 0);
      void message.error(allOnForm ? fields[0][1] : error instanceof Error ? error.message : String(error));
    },
    [message],
  );
}
