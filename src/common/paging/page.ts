import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 500;
/**
 * The highest page asked for: a page number like 1e40 is a whole number to the validator, and its
 * offset reaches the database as `OFFSET 5e+41`, a syntax error (500). A million pages of 500 is
 * far beyond any table of the ledger, so a higher page is a 400 instead.
 */
export const MAX_PAGE = 1_000_000;

/** How a list answers: one JSON page, or every matching row as a download (src/common/export). */
export const LIST_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;

  @ApiPropertyOptional({
    enum: LIST_FORMATS,
    default: 'json',
    description: 'csv (UTF-8 with BOM) or xlsx: download every row that matches the filters, not one page (page and pageSize are ignored)',
  })
  @IsOptional()
  @IsIn(LIST_FORMATS)
  format?: ListFormat;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageRequest(query: PageQueryDto): PageRequest {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  return { page, pageSize, offset: (page - 1) * pageSize };
}
