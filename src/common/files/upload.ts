import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import { diskStorage, StorageEngine } from 'multer';
import type { Observable } from 'rxjs';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 };

/**
 * An upload carries the file and nothing else: a form field beside it (`issuerId`, `createdBy`…)
 * is refused with 400 naming each field, as unknown JSON fields are (mass assignment), and a file
 * already stored on disk is removed. Runs after multer, which has parsed the fields into the body.
 */
@Injectable()
export class OnlyTheFile implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { file?: { path?: string } }>();
    const body: unknown = req.body;
    const names = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (names.length) {
      if (req.file?.path) rmSync(req.file.path, { force: true });
      throw new DomainError(
        ErrorCode.BadRequest,
        `Unknown form field(s) ${names.join(', ')}: an upload carries only the field "file"`,
        names.map((field) => ({ field, message: 'not a field of this upload: send only "file"' })),
      );
    }
    return next.handle();
  }
}

/** Multipart upload of one file in the field `file` and nothing else, kept in memory, capped at 20 MB (413 beyond). */
export const SingleFileUpload = () => applyDecorators(UseInterceptors(FileInterceptor('file', { limits: LIMITS }), OnlyTheFile));

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
  applyDecorators(
    UseInterceptors(
      FileInterceptor('file', {
        limits: LIMITS,
        storage: withSha256(diskStorage({ destination: (_req, _file, callback) => callback(null, uploadDirectory()) })),
      }),
      OnlyTheFile,
    ),
  );

/**
 * Multer's disk storage that also gives the stored file's SHA-256 (`sha256`): an Idempotency-Key's
 * request fingerprint needs it once the route has moved the file away, and a retry's upload, read
 * into memory, is hashed the same way. Read back from disk in a stream, so memory stays bounded.
 */
function withSha256(disk: StorageEngine): StorageEngine {
  return {
    _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File> & { sha256?: string }) => void) {
      disk._handleFile(req, file, (error?: unknown, info?: Partial<Express.Multer.File>) => {
        if (error || !info?.path) return callback(error, info);
        sha256OfFile(info.path).then(
          (sha256) => callback(null, { ...info, sha256 }),
          (readError: unknown) => callback(readError),
        );
      });
    },
    _removeFile: (req, file, callback) => disk._removeFile(req, file, callback),
  };
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

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
