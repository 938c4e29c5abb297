import { createHash } from 'node:crypto';

/**
 * Spain's Verifactu record fingerprint (Orden HAC/1177/2024): `Name=value` pairs joined with `&`,
 * values trimmed, SHA-256 over UTF-8, upper-case hex. Field names are the specification's own.
 */
export interface VerifactuRegistration {
  IDEmisorFactura: string;
  NumSerieFactura: string;
  /** dd-mm-yyyy */
  FechaExpedicionFactura: string;
  TipoFactura: string;
  CuotaTotal: string;
  ImporteTotal: string;
  /** The previous record's fingerprint; empty for the first record of the chain. */
  Huella: string;
  /** ISO 8601 with offset, e.g. 2024-01-01T19:20:30+01:00 */
  FechaHoraHusoGenRegistro: string;
}

export interface VerifactuCancellation {
  IDEmisorFacturaAnulada: string;
  NumSerieFacturaAnulada: string;
  FechaExpedicionFacturaAnulada: string;
  Huella: string;
  FechaHoraHusoGenRegistro: string;
}

const REGISTRATION_ORDER = [
  'IDEmisorFactura',
  'NumSerieFactura',
  'FechaExpedicionFactura',
  'TipoFactura',
  'CuotaTotal',
  'ImporteTotal',
  'Huella',
  'FechaHoraHusoGenRegistro',
] as const satisfies ReadonlyArray<keyof VerifactuRegistration>;

const CANCELLATION_ORDER = [
  'IDEmisorFacturaAnulada',
  'NumSerieFacturaAnulada',
  'FechaExpedicionFacturaAnulada',
  'Huella',
  'FechaHoraHusoGenRegistro',
] as const satisfies ReadonlyArray<keyof VerifactuCancellation>;

function fingerprint<T>(record: T, order: ReadonlyArray<keyof T>): string {
  const text = order.map((name) => `${String(name)}=${String(record[name]).trim()}`).join('&');
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}

export function verifactuFingerprint(record: VerifactuRegistration): string {
  return fingerprint(record, REGISTRATION_ORDER);
}

export function verifactuCancellationFingerprint(record: VerifactuCancellation): string {
  return fingerprint(record, CANCELLATION_ORDER);
}

/**
 * An amount in minor units as the literal the record carries and the hash reads (`12.35`, `-4.00`):
 * formatted once, so the record and its fingerprint can never disagree.
 */
export function fiscalAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function partsIn(date: Date, timeZone: string): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** dd-mm-yyyy of the calendar day in the location's time zone. */
export function fiscalDate(date: Date, timeZone: string): string {
  const p = partsIn(date, timeZone);
  return `${p.day}-${p.month}-${p.year}`;
}

/** ISO 8601 local time with its UTC offset in `timeZone`, e.g. 2024-01-01T19:20:30+01:00. */
export function isoWithOffset(date: Date, timeZone: string): string {
  const p = partsIn(date, timeZone);
  const local = `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The tax agency's QR URL. `ValidarQRNoVerifactu` because this platform keeps the chained
 * records itself and does not send them to the agency; `prewww2.aeat.es` is the test host.
 */
export function verifactuQrUrl(
  fields: { nif: string; numserie: string; fecha: string; importe: string },
  options: { sendsToAgency?: boolean; testHost?: boolean } = {},
): string {
  const host = options.testHost ? 'https://prewww2.aeat.es' : 'https://www2.agenciatributaria.gob.es';
  const page = options.sendsToAgency ? 'ValidarQR' : 'ValidarQRNoVerifactu';
  const query = (['nif', 'numserie', 'fecha', 'importe'] as const).map((k) => `${k}=${encodeURIComponent(fields[k])}`).join('&');
  return `${host}/wlpl/TIKE-CONT/${page}?${query}`;
}
