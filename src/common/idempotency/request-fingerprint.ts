import { createHash, createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import multer from 'multer';
import { canonicalJson } from '../canonical-json';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { MAX_UPLOAD_BYTES } from '../files/upload';

/**
 * What makes two POSTs "the same request" for an Idempotency-Key: the URL and the content of the
 * body, not its bytes. A JSON body is compared by value (key order and whitespace do not matter);
 * a multipart upload by its fields and the SHA-256 of each file (the random boundary does not).
 * The fingerprint is an HMAC under a server secret: a body may carry a password (POST /users), and
 * a plain hash of it stored in the database would let anyone holding a copy test guesses at
 * SHA-256 speed, around bcrypt.
 */
export type Fingerprint = string;

interface UploadedFile {
  fieldname: string;
  originalname: string;
  buffer?: Buffer;
  /** A file stored on disk (SingleFileToDisk) has no buffer: its SHA-256, taken as it was stored. */
  sha256?: string;
  size: number;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const mac = (secret: string, request: unknown) => createHmac('sha256', secret).update(canonicalJson(request)).digest('hex');

export function isMultipart(req: Request): boolean {
  return typeof req.is === 'function' && Boolean(req.is('multipart/form-data'));
}

/** The fingerprint of a request whose body the body parsers already read (JSON, form) or that has none. */
export function parsedBodyFingerprint(secret: string, req: Request): Fingerprint {
  const body = req.body as unknown;
  if (body !== undefined) return mac(secret, { path: req.originalUrl, body });
  // A body no parser understood: its type and length are all that can be compared without reading it.
  return mac(secret, { path: req.originalUrl, body: null, type: req.headers['content-type'] ?? null, length: req.headers['content-length'] ?? null });
}

/** The fingerprint of a multipart request after multer read it (into req.file / req.files and req.body). */
export function uploadFingerprint(secret: string, req: Request): Fingerprint {
  const r = req as Request & { file?: UploadedFile; files?: UploadedFile[] | Record<string, UploadedFile[]> };
  const files: UploadedFile[] = [];
  if (r.file) files.push(r.file);
  if (Array.isArray(r.files)) files.push(...r.files);
  else if (r.files) for (const list of Object.values(r.files)) files.push(...list);
  const described = files
    .map((f) => ({ field: f.fieldname, name: f.originalname, size: f.size, sha256: f.buffer ? sha256(f.buffer) : (f.sha256 ?? null) }))
    .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
  const fields = { ...((req.body as Record<string, unknown> | undefined) ?? {}) };
  return mac(secret, { path: req.originalUrl, fields, files: described });
}

const readAnyUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 50 } }).any();

/**
 * Reads a multipart body that no route handler will see (a retry that is answered from the
 * stored record) and fingerprints it the same way as `uploadFingerprint` does after the route
 * read it. The 20 MB upload limit applies here too.
 */
export function readUploadFingerprint(secret: string, req: Request, res: Response): Promise<Fingerprint> {
  return new Promise((resolve, reject) => {
    readAnyUpload(req, res, (error?: unknown) => {
      if (!error) return resolve(uploadFingerprint(secret, req));
      // A limit (LIMIT_FILE_SIZE is a 413) is mapped by the exception filter; anything else busboy
      // reports (unexpected end of form, a malformed part header) is the caller's broken body.
      const e = error as { code?: unknown; message?: unknown };
      if (error instanceof Error && typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return reject(error);
      reject(new DomainError(ErrorCode.BadRequest, `Malformed multipart body: ${typeof e.message === 'string' ? e.message : 'unreadable'}`));
    });
  });
}
