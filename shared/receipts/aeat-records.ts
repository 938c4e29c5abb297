/**
 * Verifactu billing records as AEAT's XML defines them (SuministroInformacion.xsd and
 * SuministroLR.xsd, Orden HAC/1177/2024): `RegistroAlta` for an invoice, `RegistroAnulacion` for
 * the cancellation of one, and the `RegFactuSistemaFacturacion` envelope the web service takes.
 * Element names and order are the schema's; the values that enter the fingerprint are the same
 * strings the record carries.
 */

export const AEAT_NS = {
  lr: 'https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd',
  info: 'https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd',
} as const;

type SiNo = 'S' | 'N';

/** The invoicing system's identity, carried by every record. */
export interface SistemaInformatico {
  NombreRazon: string;
  NIF: string;
  NombreSistemaInformatico: string;
  IdSistemaInformatico: string;
  Version: string;
  NumeroInstalacion: string;
  TipoUsoPosibleSoloVerifactu: SiNo;
  TipoUsoPosibleMultiOT: SiNo;
  IndicadorMultiplesOT: SiNo;
}

export interface InvoiceId {
  IDEmisorFactura: string;
  NumSerieFactura: string;
  FechaExpedicionFactura: string;
}

/** The record before this one in the installation's chain; null for the first record. */
export type PreviousRecord = (InvoiceId & { Huella: string }) | null;

export interface AltaRecord extends InvoiceId {
  NombreRazonEmisor: string;
  TipoFactura: 'F2' | 'R5';
  /** The invoices a corrective one corrects (R5), by differences (`I`). */
  FacturasRectificadas?: InvoiceId[];
  DescripcionOperacion: string;
  /** One line per VAT rate: `TipoImpositivo` as `21.00`, amounts as the record's signed strings. */
  Desglose: Array<{ TipoImpositivo: string; BaseImponibleOimporteNoSujeto: string; CuotaRepercutida: string }>;
  CuotaTotal: string;
  ImporteTotal: string;
  previous: PreviousRecord;
  SistemaInformatico: SistemaInformatico;
  FechaHoraHusoGenRegistro: string;
  /** This record's own fingerprint. */
  Huella: string;
}

export interface AnulacionRecord {
  cancelled: InvoiceId;
  previous: PreviousRecord;
  SistemaInformatico: SistemaInformatico;
  FechaHoraHusoGenRegistro: string;
  Huella: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Node = [string, string | Node[]];
const el = (name: string, content: string | Node[]): Node => [name, content];

function render(node: Node, prefix: string, depth: number): string {
  const [name, content] = node;
  const pad = '  '.repeat(depth);
  if (typeof content === 'string') return `${pad}<${prefix}:${name}>${escape(content)}</${prefix}:${name}>`;
  return `${pad}<${prefix}:${name}>\n${content.map((c) => render(c, prefix, depth + 1)).join('\n')}\n${pad}</${prefix}:${name}>`;
}

const sistema = (s: SistemaInformatico): Node =>
  el('SistemaInformatico', [
    el('NombreRazon', s.NombreRazon),
    el('NIF', s.NIF),
    el('NombreSistemaInformatico', s.NombreSistemaInformatico),
    el('IdSistemaInformatico', s.IdSistemaInformatico),
    el('Version', s.Version),
    el('NumeroInstalacion', s.NumeroInstalacion),
    el('TipoUsoPosibleSoloVerifactu', s.TipoUsoPosibleSoloVerifactu),
    el('TipoUsoPosibleMultiOT', s.TipoUsoPosibleMultiOT),
    el('IndicadorMultiplesOT', s.IndicadorMultiplesOT),
  ]);

const chain = (previous: PreviousRecord): Node =>
  el(
    'Encadenamiento',
    previous
      ? [
          el('RegistroAnterior', [
            el('IDEmisorFactura', previous.IDEmisorFactura),
            el('NumSerieFactura', previous.NumSerieFactura),
            el('FechaExpedicionFactura', previous.FechaExpedicionFactura),
            el('Huella', previous.Huella),
          ]),
        ]
      : [el('PrimerRegistro', 'S')],
  );

const invoiceId = (id: InvoiceId, suffix = ''): Node[] => [
  el(`IDEmisorFactura${suffix}`, id.IDEmisorFactura),
  el(`NumSerieFactura${suffix}`, id.NumSerieFactura),
  el(`FechaExpedicionFactura${suffix}`, id.FechaExpedicionFactura),
];

function altaNode(r: AltaRecord): Node {
  return el('RegistroAlta', [
    el('IDVersion', '1.0'),
    el('IDFactura', invoiceId(r)),
    el('NombreRazonEmisor', r.NombreRazonEmisor),
    el('TipoFactura', r.TipoFactura),
    ...(r.TipoFactura === 'R5' ? [el('TipoRectificativa', 'I')] : []),
    ...(r.FacturasRectificadas?.length
      ? [
          el(
            'FacturasRectificadas',
            r.FacturasRectificadas.map((f) => el('IDFacturaRectificada', invoiceId(f))),
          ),
        ]
      : []),
    el('DescripcionOperacion', r.DescripcionOperacion),
    el(
      'Desglose',
      r.Desglose.map((d) =>
        el('DetalleDesglose', [
          el('Impuesto', '01'),
          el('ClaveRegimen', '01'),
          el('CalificacionOperacion', 'S1'),
          el('TipoImpositivo', d.TipoImpositivo),
          el('BaseImponibleOimporteNoSujeto', d.BaseImponibleOimporteNoSujeto),
          el('CuotaRepercutida', d.CuotaRepercutida),
        ]),
      ),
    ),
    el('CuotaTotal', r.CuotaTotal),
    el('ImporteTotal', r.ImporteTotal),
    chain(r.previous),
    sistema(r.SistemaInformatico),
    el('FechaHoraHusoGenRegistro', r.FechaHoraHusoGenRegistro),
    el('TipoHuella', '01'),
    el('Huella', r.Huella),
  ]);
}

function anulacionNode(r: AnulacionRecord): Node {
  return el('RegistroAnulacion', [
    el('IDVersion', '1.0'),
    el('IDFactura', invoiceId(r.cancelled, 'Anulada')),
    chain(r.previous),
    sistema(r.SistemaInformatico),
    el('FechaHoraHusoGenRegistro', r.FechaHoraHusoGenRegistro),
    el('TipoHuella', '01'),
    el('Huella', r.Huella),
  ]);
}

export type BillingRecord = { kind: 'alta'; record: AltaRecord } | { kind: 'anulacion'; record: AnulacionRecord };

/** One record as its XML element (namespace prefix `sum1`), as stored beside the receipt. */
export function recordXml(record: BillingRecord, depth = 0): string {
  return render(record.kind === 'alta' ? altaNode(record.record) : anulacionNode(record.record), 'sum1', depth);
}

/**
 * The document AEAT's web service takes (inside its SOAP body): the issuer and up to 1,000 records.
 * Also what an inspector receives for an installation and period.
 */
export function submissionXml(issuer: { NombreRazon: string; NIF: string }, records: BillingRecord[]): string {
  if (records.length > 1000) throw new Error('AEAT takes at most 1,000 records per submission');
  const cabecera = `  <sum:Cabecera>\n${render(el('ObligadoEmision', [el('NombreRazon', issuer.NombreRazon), el('NIF', issuer.NIF)]), 'sum1', 2)}\n  </sum:Cabecera>`;
  const body = records.map((r) => `  <sum:RegistroFactura>\n${recordXml(r, 2)}\n  </sum:RegistroFactura>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sum:RegFactuSistemaFacturacion xmlns:sum="${AEAT_NS.lr}" xmlns:sum1="${AEAT_NS.info}">\n${cabecera}\n${body}\n</sum:RegFactuSistemaFacturacion>\n`;
}
