import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class PolicyQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'A stored version; the current one when left out' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

const entry = {
  type: 'object',
  required: ['value', 'source'],
  properties: {
    value: { description: 'A number, a list or an object, as the entry requires' },
    source: { type: 'string', description: 'Where the number comes from' },
    unit: { type: 'string' },
    note: { type: 'string' },
  },
};

/** The PUT /policy body, documented here and checked as a whole by validatePolicyDocument. */
export const POLICY_DOCUMENT_SCHEMA = {
  type: 'object',
  required: ['effectiveFrom', 'thresholds', 'standardTimes'],
  properties: {
    version: { type: 'integer', minimum: 2, description: 'The next version number; may be left out (then assigned)' },
    effectiveFrom: { type: 'string', format: 'date', example: '2027-01-01' },
    note: { type: 'string', description: 'What changed and why' },
    thresholds: {
      type: 'object',
      description: 'Every threshold of DESIGN §4 (see GET /policy for the names), each { value, source, unit?, note? }',
      additionalProperties: entry,
    },
    standardTimes: {
      type: 'object',
      description: 'Every standard time of DESIGN §5, each { value, source, unit?, note? }',
      additionalProperties: entry,
    },
  },
};
