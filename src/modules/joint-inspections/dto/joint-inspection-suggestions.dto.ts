import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { PageQueryDto } from '@/common/paging/page';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateMessage = (field: string) => ({ message: `${field} must be a date written YYYY-MM-DD` });

/** GET /joint-inspections/suggestions: the period whose landings are grouped, and the page. */
export class JointInspectionSuggestionsQueryDto extends PageQueryDto {
  @ApiProperty({ example: '2026-09-01', description: 'First day of the period (inclusive)' })
  @Matches(DATE, dateMessage('from'))
  from!: string;

  @ApiProperty({ example: '2026-12-31', description: 'Last day of the period (inclusive); at most 366 days including both ends' })
  @Matches(DATE, dateMessage('to'))
  to!: string;
}
