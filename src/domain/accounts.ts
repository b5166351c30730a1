import type { Reason } from './id-number.ts';

/**
 * The rules of a user account's username and password: the server refuses by them, and the user
 * form checks them as they are typed, so a command-centre clerk learns what is wrong before
 * submitting, in the same words.
 */

/** Letters, digits and `_ . -`: a username is typed on phones and read aloud over the phone. */
const USERNAME = /^[A-Za-z0-9_.-]+$/;

/** Why a username (trimmed) cannot be used, or null when it can. */
export function usernameProblem(username: string): Reason | null {
  const name = username.trim();
  if (name.length < 2) return { zh: '用户名至少2个字符', en: 'At least 2 characters' };
  if (name.length > 50) return { zh: '用户名最多50个字符', en: 'At most 50 characters' };
  if (!USERNAME.test(name))
    return { zh: '用户名只能包含字母、数字、下划线、点和短横线', en: 'Letters, digits, _ . - only' };
  return null;
}

/** Why a password cannot be used, or null when it can. */
export function passwordProblem(password: string): Reason | null {
  if (password.length < 8) return { zh: '密码至少8位', en: 'At least 8 characters' };
  if (password.length > 200) return { zh: '密码最多200位', en: 'At most 200 characters' };
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password))
    return { zh: '密码须同时包含字母和数字', en: 'Use letters and digits' };
  return null;
}
