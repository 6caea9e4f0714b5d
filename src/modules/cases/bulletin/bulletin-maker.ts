import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, forbidden, invalid } from '@/common/errors/domain-error';
import { nowIso, todayInChina } from '@/common/time';
import { isUniqueViolation } from '@/database/dialect';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { AuditService } from '@/modules/audit/audit.service';
import { CaseRepository } from '../case.repository';
import type { CaseRow } from '../case.model';
import { Bulletin, BulletinCase, buildBulletin } from './bulletin';
import { bulletinDocx } from './render-docx';
import { bulletinHtml } from './render-html';
import { bulletinMarkdown } from './render-markdown';

export const BULLETIN_FORMATS = ['json', 'md', 'html', 'docx'] as const;
export type BulletinFormat = (typeof BULLETIN_FORMATS)[number];

export interface BulletinRequest {
  from: string;
  to: string;
  format: BulletinFormat;
  anonymise: boolean;
}

export interface BulletinFile {
  fileName: string;
  /** The file name in printable ASCII for old clients. */
  asciiFileName: string;
  contentType: string;
  content: Buffer;
}

const CONTENT_TYPES: Record<BulletinFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

const AREA_SUFFIX = /(?:自治州|自治县|自治区|自治旗|特别行政区|地区|省|市|县|区|州|盟|旗|镇|乡|街道)$/u;
const ETHNIC_SUFFIX =
  /(?:哈尼|彝|壮|苗|傣|白|景颇|傈僳|藏|回|布依|拉祜|佤|纳西|独龙|怒|普米|瑶|蒙古|土家|布朗|阿昌|基诺|德昂|侗|水|仡佬|羌|满|朝鲜|维吾尔|哈萨克|柯尔克孜|塔吉克|土|撒拉|东乡|保安|裕固|黎|畲|仫佬|毛南|京|达斡尔|鄂温克|鄂伦春|赫哲|锡伯|门巴|珞巴)族$/u;

/** 蒙自市 → 蒙自, 红河哈尼族彝族自治州 → 红河, 西双版纳傣族自治州 → 西双版纳: the name a 文号 starts with. */
export function areaShortName(name: string): string {
  let short = name.replace(AREA_SUFFIX, '');
  for (let previous = ''; previous !== short; ) {
    previous = short;
    short = short.replace(ETHNIC_SUFFIX, '');
  }
  return short.length >= 2 ? short : name;
}

function bulletinCase(c: CaseRow): BulletinCase {
  return {
    id: c.id,
    title: c.title,
    category: c.category,
    issuerName: c.issuer?.name ?? null,
    unitName: c.unit?.name ?? null,
    persons: c.persons,
    conductFrom: c.conductFrom,
    conductTo: c.conductTo,
    facts: c.facts,
    provision: c.provision,
    // A final case always has both (a database check holds it).
    handlingType: c.handlingType ?? '',
    handlingOn: c.handlingOn ?? '',
    handlingNote: c.handlingNote,
    issuerId: c.issuer?.id ?? null,
    demands: c.evidence.totals.demands,
    affectedUnitIds: c.evidence.affectedUnitIds,
    burdenMinutes: c.evidence.totals.burdenMinutes,
  };
}

/** Pulls of a new period racing for its number: the loser reads the winner's. */
const NUMBER_ATTEMPTS = 3;

/**
 * Makes the bulletin (通报) of an inspector's jurisdiction for a period: the final cases handled in
 * it, a document number per issuing unit, year and period (the same period keeps its number), the
 * pull audited, then the rendering. Plain class: the request thread and the job worker share it.
 */
export class BulletinMaker {
  constructor(
    private readonly repo: CaseRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /** The final cases a pull would take (for choosing inline or a job). */
  countCases(actor: Actor, request: Pick<BulletinRequest, 'from' | 'to'>): Promise<number> {
    const under = jurisdictionOf(actor);
    return this.tx.snapshot((reader) => this.repo.countCases(reader, { under, status: 'final', from: request.from, to: request.to }));
  }

  async make(actor: Actor, request: BulletinRequest): Promise<{ bulletin: Bulletin; file: BulletinFile }> {
    checkPeriod(request);
    const under = jurisdictionOf(actor);
    for (let attempt = 1; ; attempt++) {
      try {
        const bulletin = await this.tx.run(async (tx) => {
          const area = await this.repo.findUnitByPath(tx, under);
          if (!area) throw forbidden('Your jurisdiction has no unit to issue a bulletin');
          const cases = await this.repo.casesForBulletin(tx, { under, from: request.from, to: request.to });
          let docNo = await this.repo.findBulletinNumber(tx, area.id, request.from, request.to);
          if (docNo === null) {
            const year = Number(request.to.slice(0, 4));
            const seq = await this.repo.nextBulletinSeq(tx, area.id, year);
            docNo = `${areaShortName(area.name)}减负办通〔${year}〕${seq}号`;
            await this.repo.insertBulletin(tx, { unitId: area.id, year, seq, docNo, from: request.from, to: request.to, userId: actor.userId, at: nowIso() });
          }
          const built = buildBulletin({ areaName: area.name, docNo, from: request.from, to: request.to, issuedOn: todayInChina() }, cases.map(bulletinCase), request.anonymise);
          await this.audit.append(tx, {
            actor,
            action: 'case-report.read',
            entityType: 'case_report',
            entityId: docNo,
            unitPath: under,
            after: { from: request.from, to: request.to, format: request.format, anonymise: request.anonymise, docNo, caseIds: cases.map((c) => c.id) },
          });
          return built;
        });
        return { bulletin, file: await render(bulletin, request.format) };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= NUMBER_ATTEMPTS) throw error;
      }
    }
  }
}

export function jurisdictionOf(actor: Actor): string {
  if (actor.role !== 'inspector' || actor.jurisdictionPath === null) throw forbidden('Only discipline inspectors pull bulletins');
  return actor.jurisdictionPath;
}

export function checkPeriod(request: Pick<BulletinRequest, 'from' | 'to'>): void {
  if (request.from > request.to) throw invalid('to', 'is before from');
  const years = Number(request.to.slice(0, 4)) - Number(request.from.slice(0, 4));
  if (years > 1) throw new DomainError(ErrorCode.Unprocessable, 'A bulletin covers at most two calendar years', [{ field: 'from', message: 'is more than a year before to' }]);
}

async function render(b: Bulletin, format: BulletinFormat): Promise<BulletinFile> {
  const stem = `${b.title}（${b.docNo}）`;
  const ascii = `case-report-${b.from}-${b.to}.${format}`;
  const file = (content: Buffer): BulletinFile => ({ fileName: `${stem}.${format}`, asciiFileName: ascii, contentType: CONTENT_TYPES[format], content });
  switch (format) {
    case 'json':
      return file(Buffer.from(JSON.stringify(b), 'utf8'));
    case 'md':
      return file(Buffer.from(bulletinMarkdown(b), 'utf8'));
    case 'html':
      return file(Buffer.from(bulletinHtml(b), 'utf8'));
    case 'docx':
      return file(await bulletinDocx(b));
  }
}
