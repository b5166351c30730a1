import { z } from 'zod';
import { normalizeMobile } from '../../../domain/phone.ts';
import { bilingual } from '../http/validation.ts';

export const passwordSchema = z
  .string()
  .min(8, bilingual('密码至少8位', 'At least 8 characters'))
  .max(200)
  .refine(
    (p) => /[A-Za-z]/.test(p) && /\d/.test(p),
    bilingual('密码须同时包含字母和数字', 'Use letters and digits'),
  );

/** Mainland mobile, normalised to 11 digits; empty string or null clears it. */
export const phoneSchema = z
  .string()
  .trim()
  .max(20)
  .refine(
    (p) => p === '' || normalizeMobile(p) !== null,
    bilingual('手机号格式不正确（11位，1开头）', 'Not a mainland mobile number'),
  )
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
  username: z
    .string()
    .trim()
    .min(2)
    .max(50)
    .regex(
      /^[A-Za-z0-9_.-]+$/,
      bilingual('用户名只能包含字母、数字、下划线、点和短横线', 'Letters, digits, _ . - only'),
    ),
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
