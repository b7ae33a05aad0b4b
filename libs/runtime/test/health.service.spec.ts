import { describe, expect, it } from 'vitest';
import { HealthService } from '../src/health.service';

describe('HealthService', () => {
  it('is ok when every check resolves', async () => {
    const health = new HealthService('probe');
    health.register('bus', async () => undefined);
    expect(await health.report()).toMatchObject({ status: 'ok', service: 'probe', checks: { bus: { status: 'up' } } });
  });

  it('marks a check that hangs past its deadline as down instead of hanging the probe', async () => {
    const health = new HealthService('probe', 50);
    health.register('store', () => new Promise<void>(() => undefined));
    health.register('bus', async () => undefined);
    const report = await health.report();
    expect(report.status).toBe('error');
    expect(report.checks.store).toMatchObject({ status: 'down', error: 'Error: no answer within 50 ms' });
    expect(report.checks.bus?.status).toBe('up');
  });

  it('fails readiness while draining even with every check up', async () => {
    const health = new HealthService('probe');
    health.register('bus', async () => undefined);
    health.startDraining();
    expect(await health.report()).toMatchObject({ status: 'error', draining: true, checks: { bus: { status: 'up' } } });
  });
});
