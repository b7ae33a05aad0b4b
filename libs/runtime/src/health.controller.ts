import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { HEALTH } from './runtime.tokens';
import type { HealthReport, HealthService } from './health.service';

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH) private readonly health: HealthService) {}

  /** Readiness: 200 with the report when every check is up, 503 with the same report otherwise. */
  @Get()
  async get(): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status !== 'ok') throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  /**
   * Liveness: the process answers. Dependencies are left out on purpose, so a broker or database
   * outage takes pods out of rotation (readiness) instead of restarting every one of them.
   */
  @Get('live')
  live(): { status: 'ok'; service: string } {
    return { status: 'ok', service: this.health.service };
  }
}
