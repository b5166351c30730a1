import type { SizeType } from 'antd/es/config-provider/SizeContext';

/**
 * A phone or tablet (a finger, often gloved at a collection point or a door, not a mouse): its
 * controls are drawn at antd's large size, 40 px, as a thumb needs. Decided once at start.
 */
export const TOUCH =
  typeof window !== 'undefined' && window.matchMedia?.('(pointer: coarse)').matches === true;

/**
 * A control's size: what a desk gives it (compact in a table's row), large under a finger. For
 * controls sized explicitly, which the app-wide large size (App.tsx) does not reach.
 */
export const touchSize = (desk: SizeType): SizeType => (TOUCH ? 'large' : desk);
