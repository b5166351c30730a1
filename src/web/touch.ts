/**
 * A phone or tablet (a finger, often gloved at a collection point or a door, not a mouse): its
 * controls are drawn at antd's large size, 40 px, as a thumb needs. Decided once at start.
 */
export const TOUCH =
  typeof window !== 'undefined' && window.matchMedia?.('(pointer: coarse)').matches === true;

/** A control's size where a desk keeps it compact: full size under a finger. */
export const compactUnlessTouch = (): 'small' | undefined => (TOUCH ? undefined : 'small');
