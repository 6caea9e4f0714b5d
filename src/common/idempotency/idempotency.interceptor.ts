import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { isUniqueViolation } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { Actor } from '../auth/actor';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { nowIso } from '../time';
import { IdempotencyRecord, IdempotencyRepository } from './idempotency.repository';
import { IdempotentRequest, KeyRecordedMeanwhile } from './idempotent-request';
import { isMultipart, parsedBodyFingerprint, readUploadFingerprint, uploadFingerprint } from './request-fingerprint';

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * One idempotency mechanism for every POST: with an `Idempotency-Key` header, the first answer
 * is stored per user and key; a retry gets that answer back (header `Idempotent-Replayed: true`),
 * the same key with a different request is a 409, and a retry while the first is still running
 * is a 409 too. Failed requests leave the key free so the caller can try again.
 *
 * The key is recorded inside the request's own first unit of work (IdempotentRequest), not in
 * transactions of its own: where that unit of work's result is the answer (the service says so
 * with `run(work, { resultIsAnswer: true })`), key, answer and writes commit in one transaction;
 * elsewhere the key commits with the writes as `pending` and the answer is stored afterwards.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /** Keys the request fingerprints (see request-fingerprint.ts). */
  private readonly secret: string;

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secret = `idempotency:${config.jwtSecret}`;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const raw = req.headers['idempotency-key'];
    if (req.method !== 'POST' || raw === undefined || !req.actor) return next.handle();
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY.test(key)) {
      throw new DomainError(ErrorCode.BadRequest, 'Idempotency-Key must be 1-200 visible ASCII characters', [
        { field: 'Idempotency-Key', message: 'invalid header value' },
      ]);
    }
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    return from(this.handle(req, req.actor.userId, key, status, context, next));
  }

  private async handle(req: Request, userId: number, key: string, status: number, context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    // An upload is read by the route's own interceptor, after this one: its fingerprint is taken
    // once the route has read it, or here when a stored answer is replayed without the route.
    const upload = isMultipart(req);
    const requestHash = upload ? UPLOAD_PENDING : parsedBodyFingerprint(this.secret, req);
    const expiredBefore = new Date(Date.now() - this.config.idempotencyTtlHours * 3600_000).toISOString();
    // Committed records only: a request still running elsewhere shows up once its write commits.
    const found = await this.repo.find(this.tx.reader, userId, key);
    const live = found && found.createdAt >= expiredBefore ? found : null;
    if (live) return this.answerFrom(live, upload, requestHash, () => readUploadFingerprint(this.secret, req, res), res);

    const fingerprint = upload ? () => uploadFingerprint(this.secret, req) : () => requestHash;
    const request = new IdempotentRequest(this.repo, userId, key, fingerprint, status, found ? expiredBefore : null);
    let result: unknown;
    try {
      result = await this.tx.withParticipant(request, () => lastValueFrom(next.handle(), { defaultValue: undefined }));
    } catch (error) {
      const stored = request.stored.state;
      // A write of this request committed with its key pending, then the request failed: free the key.
      if (stored === 'pending') await this.tx.run((tx) => this.repo.remove(tx, userId, key));
      // Nothing of this request was stored. A request with the same key may have committed while
      // this one ran (the one that failed on the key's unique index, or on the data's own): it
      // answers for both. An upload's fingerprint is only known once the route read the file.
      if (stored === 'nothing' && (!upload || error instanceof KeyRecordedMeanwhile)) {
        const winner = await this.repo.find(this.tx.reader, userId, key);
        if (winner && winner.createdAt >= expiredBefore) return this.answerFrom(winner, upload, requestHash, () => Promise.resolve(fingerprint()), res);
      }
      throw error;
    }
    const responseJson = JSON.stringify(result ?? null);
    const stored = request.stored;
    if (stored.state === 'done' && stored.responseJson === responseJson) return result;
    if (stored.state === 'nothing') {
      // No unit of work ran (the route wrote nothing): store the answer now.
      await this.tx.run(async (tx) => {
        await this.repo.removeIfOlder(tx, userId, key, expiredBefore);
        await this.repo.insert(tx, { userId, key, requestHash: fingerprint(), answer: { statusCode: status, responseJson }, at: nowIso() });
      }).catch((error: unknown) => {
        // Another request with this key stored its answer meanwhile; this one's stands for its caller.
        if (!isUniqueViolation(error)) throw error;
      });
      return result;
    }
    // Pending, or an answer that is not what the route finally returned: store the route's.
    await this.tx.run((tx) => this.repo.complete(tx, userId, key, fingerprint(), status, responseJson));
    return result;
  }

  /** The answer for a key already recorded: its replay, or a 409 (still running, or another request). */
  private async answerFrom(existing: IdempotencyRecord, upload: boolean, requestHash: string, uploadHash: () => Promise<string>, res: Response): Promise<unknown> {
    if (existing.state === 'pending') {
      if (!upload && existing.requestHash !== UPLOAD_PENDING && existing.requestHash !== requestHash) throw reusedKey();
      throw stillRunning();
    }
    const hash = upload ? await uploadHash() : requestHash;
    if (existing.requestHash !== hash) throw reusedKey();
    res.setHeader('Idempotent-Replayed', 'true');
    return existing.responseJson === null ? null : (JSON.parse(existing.responseJson) as unknown);
  }
}

/** Stored as the request hash of an upload until the route has read the file. */
const UPLOAD_PENDING = 'upload-pending';

const stillRunning = () => new DomainError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still being processed');
const reusedKey = () =>
  new DomainError(ErrorCode.Conflict, 'This Idempotency-Key was already used for a different request', [
    { field: 'Idempotency-Key', message: 'reused with another body or path' },
  ]);
