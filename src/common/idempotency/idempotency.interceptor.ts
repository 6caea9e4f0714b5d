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
import { IdempotencyRepository } from './idempotency.repository';
import { isMultipart, parsedBodyFingerprint, readUploadFingerprint, uploadFingerprint } from './request-fingerprint';

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * One idempotency mechanism for every POST: with an `Idempotency-Key` header, the first answer
 * is stored per user and key; a retry gets that answer back (header `Idempotent-Replayed: true`),
 * the same key with a different request is a 409, and a retry while the first is still running
 * is a 409 too. Failed requests release the key so the caller can try again.
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
    const existing = await this.tx.run(async (tx) => {
      const found = await this.repo.find(tx, userId, key);
      if (found && found.createdAt < expiredBefore) await this.repo.remove(tx, userId, key);
      else if (found) return found;
      try {
        await this.repo.insertPending(tx, userId, key, requestHash, nowIso());
      } catch (error) {
        if (isUniqueViolation(error)) throw stillRunning();
        throw error;
      }
      return null;
    });
    if (existing) {
      if (existing.state === 'pending') {
        if (!upload && existing.requestHash !== UPLOAD_PENDING && existing.requestHash !== requestHash) throw reusedKey();
        throw stillRunning();
      }
      const hash = upload ? await readUploadFingerprint(this.secret, req, res) : requestHash;
      if (existing.requestHash !== hash) throw reusedKey();
      res.setHeader('Idempotent-Replayed', 'true');
      return existing.responseJson === null ? null : (JSON.parse(existing.responseJson) as unknown);
    }
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.tx.run((tx) => this.repo.remove(tx, userId, key));
      throw error;
    }
    const finalHash = upload ? uploadFingerprint(this.secret, req) : requestHash;
    await this.tx.run((tx) => this.repo.complete(tx, userId, key, finalHash, status, JSON.stringify(result ?? null)));
    return result;
  }
}

/** Stored as the request hash of an upload until the route has read the file. */
const UPLOAD_PENDING = 'upload-pending';

const stillRunning = () => new DomainError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still being processed');
const reusedKey = () =>
  new DomainError(ErrorCode.Conflict, 'This Idempotency-Key was already used for a different request', [
    { field: 'Idempotency-Key', message: 'reused with another body or path' },
  ]);
