import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileInterceptor } from '@nestjs/platform-express';
import { diskStorage } from 'multer';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 };

/** Multipart upload of one file in the field `file`, kept in memory, capped at 20 MB (413 beyond). */
export const SingleFileUpload = () => FileInterceptor('file', { limits: LIMITS });

/** Where uploads stored on disk wait until their job takes them (owner-only; the job moves them to its data folder). */
export function uploadDirectory(): string {
  const dir = join(tmpdir(), 'burden-ledger-uploads');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * The same upload written to a temporary file as it arrives (multer's disk storage), for imports
 * that run as jobs: a 20 MB file never sits in the server's memory. The route hands the path to
 * the job (JobsService.start `attachmentFile`), which removes it when done; multer removes a
 * partial file itself when the upload fails (413, a broken form).
 */
export const SingleFileToDisk = () =>
  FileInterceptor('file', {
    limits: LIMITS,
    storage: diskStorage({ destination: (_req, _file, callback) => callback(null, uploadDirectory()) }),
  });

export interface UploadedTableFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

/** A file stored by `SingleFileToDisk`. */
export interface UploadedDiskFile {
  originalname: string;
  path: string;
  size: number;
}
