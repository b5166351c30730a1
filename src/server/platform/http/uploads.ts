import type { FastifyRequest } from 'fastify';
import { AppError, invalidField } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';

/**
 * The one uploaded file of an import (multipart field `file`). A body that is not multipart, has
 * no such field, or breaks off or is malformed (no boundary, truncated) is the client's fault: a
 * 400 naming `file`, never a 500. Errors the multipart plugin already classes as the client's
 * (a file over the limit: 413, naming `file` and the limit) keep their status.
 */
export async function readUploadedFile(
  req: FastifyRequest,
  /** The multipart limit the module registered, named in the refusal of a larger file. */
  options: { limitBytes?: number } = {},
): Promise<{ data: Buffer; filename: string }> {
  if (!req.isMultipart())
    throw invalidField(
      'file',
      text('请以 multipart/form-data 上传文件（字段名 file）', 'Upload the file as multipart field "file"'),
    );
  try {
    const part = await req.file();
    if (part?.fieldname !== 'file')
      throw invalidField('file', text('缺少文件（字段名 file）', 'No file (field "file")'));
    return { data: await part.toBuffer(), filename: part.filename };
  } catch (error) {
    if (error instanceof AppError) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) {
      const mb = Math.round((options.limitBytes ?? 0) / 1048576);
      const limit = mb > 0 ? `（上限 ${mb} MB）` : '';
      const limitEn = mb > 0 ? ` (limit ${mb} MB)` : '';
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        text(
          `文件过大${limit}，请分成几个文件上传`,
          `The file is too large${limitEn}: split it into several`,
        ),
        { file: text(`文件过大${limit}`, `Too large${limitEn}`) },
      );
    }
    if (status !== undefined && status >= 400 && status < 500) throw error;
    throw invalidField(
      'file',
      text(
        '上传内容不完整或格式有误，请重新上传文件',
        'The upload is truncated or malformed: send the file again',
      ),
    );
  }
}
