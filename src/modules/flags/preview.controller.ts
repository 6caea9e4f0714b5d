import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { CreateDemandDto } from '@/modules/demands/dto/demand.dto';
import { PreviewService } from './preview.service';

/**
 * `POST /demands/preview` lives in the flags feature: it needs the rules, and demands may not
 * import flags. It does not clash with the demands controller's `:id/cancel` and `import`.
 */
@ApiTags('demands')
@ApiBearerAuth()
@Controller('demands')
export class PreviewController {
  constructor(private readonly previews: PreviewService) {}

  /** Same body as registering a demand: the flags it would raise, what its targets already gave (once-only), the budget left. Writes nothing. */
  @Post('preview')
  @HttpCode(200)
  @Roles('issuer')
  preview(@CurrentActor() actor: Actor, @Body() dto: CreateDemandDto) {
    return this.previews.preview(actor, dto);
  }
}
