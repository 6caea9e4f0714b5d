import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { DemandsService } from './demands.service';
import { CancelDemandDto, CreateDemandDto, DemandQueryDto, LookupQueryDto, UpdateDemandDto } from './dto/demand.dto';

@ApiTags('demands')
@ApiBearerAuth()
@Controller('demands')
export class DemandsController {
  constructor(private readonly demands: DemandsService) {}

  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: DemandQueryDto) {
    return this.demands.list(actor, query, pageRequest(query));
  }

  @Post()
  @Roles('issuer')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateDemandDto) {
    return this.demands.create(actor, dto);
  }

  /** Is this notice registered? For the targets, the issuer and coordinators above. */
  @Get('lookup')
  lookup(@CurrentActor() actor: Actor, @Query() query: LookupQueryDto) {
    return this.demands.lookup(actor, query.registrationNo);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.demands.get(actor, id);
  }

  @Patch(':id')
  @Roles('issuer')
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateDemandDto) {
    return this.demands.update(actor, id, dto);
  }

  @Post(':id/cancel')
  @Roles('issuer')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: CancelDemandDto) {
    return this.demands.cancel(actor, id, dto);
  }
}
