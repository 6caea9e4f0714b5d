import { FileInterceptor } from '@nestjs/platform-express';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** Multipart upload of one file in the field `file`, kept in memory, capped at 20 MB (413 beyond). */
export const SingleFileUpload = () => FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });

export interface UploadedTableFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}
