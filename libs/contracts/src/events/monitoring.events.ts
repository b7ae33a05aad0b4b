// Hand-written mirror of proto/avro/quant/monitoring/v1/Alert.avsc.

/** quant.monitoring.v1.AlertSeverity. A severity added later reads as WARNING. */
export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** quant.monitoring.v1.AlertStatus */
export type AlertStatus = 'FIRING' | 'RESOLVED';

/** quant.monitoring.v1.Alert */
export interface Alert {
  eventId: string;
  /** Groups the firing and resolution of one condition. */
  alertKey: string;
  severity: AlertSeverity;
  status: AlertStatus;
  source: string;
  title: string;
  message: string;
  labels: Record<string, string>;
  value: number | null;
  threshold: number | null;
  /** Epoch ms. */
  firedAt: number;
  /** Epoch ms; null while firing. */
  resolvedAt: number | null;
}
