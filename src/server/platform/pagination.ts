import { z } from 'zod';

export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(20),
};

export function toLimitOffset(p: { page: number; pageSize: number }) {
  return { limit: p.pageSize, offset: (p.page - 1) * p.pageSize };
}

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int() });
