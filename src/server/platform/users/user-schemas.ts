import { z } from 'zod';
import { passwordProblem, usernameProblem } from '../../../domain/accounts.ts';
import { mobileProblem, normalizeMobile } from '../../../domain/phone.ts';
import { bilingual, byRule } from '../http/validation.ts';

export const passwordSchema = z.string().superRefine(byRule(passwordProblem));

/** Mainland mobile, normalised to 11 digits; empty string or null clears it. */
export const phoneSchema = z
  .string()
  .trim()
  .max(20)
  .superRefine(byRule(mobileProblem))
  .transform((p) => (p === '' ? null : normalizeMobile(p)))
  .nullable();

export const grantInput = z.object({ role: z.string().min(1).max(50), orgUnitId: z.uuid() });

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  phone: z.string().nullable(),
  active: z.boolean(),
  grants: z.array(
    z.object({ role: z.string(), roleName: z.string(), orgUnitId: z.string(), orgUnitName: z.string() }),
  ),
  createdAt: z.string(),
  actions: z.object({ update: z.boolean(), updateAccount: z.boolean(), unmask: z.boolean() }),
});

export const createUserBody = z.object({
  username: z.string().trim().superRefine(byRule(usernameProblem)),
  displayName: z.string().trim().min(1).max(50),
  password: passwordSchema,
  phone: phoneSchema.optional(),
  grants: z.array(grantInput).min(1, bilingual('至少授予一个角色', 'Grant at least one role')).max(20),
});

export const updateUserBody = z.object({
  displayName: z.string().trim().min(1).max(50).optional(),
  password: passwordSchema.optional(),
  phone: phoneSchema.optional(),
  active: z.boolean().optional(),
  grants: z
    .array(grantInput)
    .min(1, bilingual('至少授予一个角色', 'Grant at least one role'))
    .max(20)
    .optional(),
});
