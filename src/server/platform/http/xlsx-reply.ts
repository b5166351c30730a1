import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** An xlsx download, named in UTF-8 (Chinese file names survive every browser). */
export function sendXlsx(reply: FastifyReply, filename: string, body: Buffer | Readable) {
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .send(body);
}
