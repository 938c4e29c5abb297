import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordXml, submissionXml, type AltaRecord, type SistemaInformatico } from './aeat-records';
import { verifactuFingerprint } from './verifactu';
import { AEAT_SCHEMAS, describeWithXmllint, validateAgainstAeat } from '../../tests/support/xmllint';

const system: SistemaInformatico = {
  NombreRazon: 'PROVEEDOR SIF DE PRUEBAS SL',
  NIF: '89890001K',
  NombreSistemaInformatico: 'TPV Ejemplo',
  IdSistemaInformatico: '01',
  Version: '1.0.0',
  NumeroInstalacion: 'INST-0001',
  TipoUsoPosibleSoloVerifactu: 'S',
  TipoUsoPosibleMultiOT: 'N',
  IndicadorMultiplesOT: 'N',
};
const issuer = { NombreRazon: 'EMPRESA DE PRUEBAS SL', NIF: '89890001K' };

/** The hand-checked example beside AEAT's schemas, built by the code. */
const first: AltaRecord = {
  IDEmisorFactura: '89890001K',
  NumSerieFactura: 'T2025/0001',
  FechaExpedicionFactura: '15-09-2025',
  NombreRazonEmisor: 'EMPRESA DE PRUEBAS SL',
  TipoFactura: 'F2',
  DescripcionOperacion: 'Venta al por menor (ticket)',
  Desglose: [{ TipoImpositivo: '21.00', BaseImponibleOimporteNoSujeto: '10.00', CuotaRepercutida: '2.10' }],
  CuotaTotal: '2.10',
  ImporteTotal: '12.10',
  previous: null,
  SistemaInformatico: system,
  FechaHoraHusoGenRegistro: '2025-09-15T10:30:00+02:00',
  Huella: verifactuFingerprint({
    IDEmisorFactura: '89890001K',
    NumSerieFactura: 'T2025/0001',
    FechaExpedicionFactura: '15-09-2025',
    TipoFactura: 'F2',
    CuotaTotal: '2.10',
    ImporteTotal: '12.10',
    Huella: '',
    FechaHoraHusoGenRegistro: '2025-09-15T10:30:00+02:00',
  }),
};

const correction: AltaRecord = {
  ...first,
  NumSerieFactura: 'T2025-R/0001',
  TipoFactura: 'R5',
  FacturasRectificadas: [{ IDEmisorFactura: '89890001K', NumSerieFactura: 'T2025/0001', FechaExpedicionFactura: '15-09-2025' }],
  Desglose: [{ TipoImpositivo: '21.00', BaseImponibleOimporteNoSujeto: '-10.00', CuotaRepercutida: '-2.10' }],
  CuotaTotal: '-2.10',
  ImporteTotal: '-12.10',
  previous: { IDEmisorFactura: '89890001K', NumSerieFactura: 'T2025/0001', FechaExpedicionFactura: '15-09-2025', Huella: first.Huella },
  FechaHoraHusoGenRegistro: '2025-09-15T11:00:00+02:00',
  Huella: 'A'.repeat(64),
};

describe('AEAT billing records', () => {
  it('builds the published example record element for element, with the fingerprint AEAT computes', () => {
    expect(first.Huella).toBe('F06E70125D6F66A2A9902782B3B5527975144D2E450C5BB287D9604B605B44AC');
    const example = readFileSync(join(AEAT_SCHEMAS, 'example-registro-alta.xml'), 'utf8');
    const elements = (xml: string) => [...xml.matchAll(/<sum1?:(\w+)>([^<]*)</g)].map((m) => `${m[1]}=${m[2]}`);
    expect(elements(submissionXml(issuer, [{ kind: 'alta', record: first }]))).toEqual(elements(example));
  });

  it('escapes text, so a name with & or < stays one element', () => {
    expect(recordXml({ kind: 'alta', record: { ...first, NombreRazonEmisor: 'Pérez & <Hijos>' } })).toContain(
      '<sum1:NombreRazonEmisor>Pérez &amp; &lt;Hijos&gt;</sum1:NombreRazonEmisor>',
    );
  });

  it('refuses more than AEAT takes in one submission', () => {
    expect(() =>
      submissionXml(
        issuer,
        Array.from({ length: 1001 }, () => ({ kind: 'alta' as const, record: first })),
      ),
    ).toThrow(/1,000/);
  });
});

describeWithXmllint('AEAT billing records against the published XSD (xmllint)', () => {
  it('validates a first F2 record, a chained R5 correcting it, and a chained cancellation', () => {
    const xml = submissionXml(issuer, [
      { kind: 'alta', record: first },
      { kind: 'alta', record: correction },
      {
        kind: 'anulacion',
        record: {
          cancelled: { IDEmisorFactura: '89890001K', NumSerieFactura: 'T2025/0001', FechaExpedicionFactura: '15-09-2025' },
          previous: { IDEmisorFactura: '89890001K', NumSerieFactura: 'T2025-R/0001', FechaExpedicionFactura: '15-09-2025', Huella: correction.Huella },
          SistemaInformatico: system,
          FechaHoraHusoGenRegistro: '2025-09-15T12:00:00+02:00',
          Huella: 'B'.repeat(64),
        },
      },
    ]);
    expect(validateAgainstAeat(xml)).toEqual({ valid: true, output: expect.stringContaining('validates') });
  });

  it('is a validation that can fail: the schema refuses a record without its system identity', () => {
    const broken = submissionXml(issuer, [{ kind: 'alta', record: first }]).replace(/<sum1:SistemaInformatico>[\s\S]*<\/sum1:SistemaInformatico>\n/, '');
    const result = validateAgainstAeat(broken);
    expect(result.valid).toBe(false);
    expect(result.output).toMatch(/Expected is \( \{[^}]+\}SistemaInformatico \)/);
  });
});
