import { App, type FormInstance, type FormRule } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { nameIn } from '../domain/language';
import { ApiError } from './api';
import { refusalText } from './apiError';

// The server names nested fields with dots ("grants.0.role"); antd wants a path array.
const toNamePath = (field: string) =>
  field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

// A record picked with its name (a unit, a grid, a household: labelInValue) sits in a form field
// named without the API's "Id" (orgUnitId → orgUnit): a refusal about it is marked there too.
const formFieldsOf = (field: string) => (field.endsWith('Id') ? [field, field.slice(0, -2)] : [field]);

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

/**
 * A form rule from a rule of the domain (`usernameProblem`, `passwordProblem`): the server refuses
 * by the same function, so the form says what it would, in the page's language, before submit.
 * An empty field is left to `required`.
 */
export function domainRule(
  language: string,
  problem: (value: string) => { zh: string; en: string } | null,
): FormRule {
  return {
    validator: async (_, value: string | undefined) => {
      const reason = value ? problem(value) : null;
      if (reason) throw new Error(nameIn(language, reason));
    },
  };
}
