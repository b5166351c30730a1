import { v7 } from 'uuid';

/** Time-ordered ids made by the application, so offline clients can create records too. */
export const newId = (): string => v7();
