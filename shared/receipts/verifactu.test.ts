import { createHash } from 'node:crypto';
import { fiscalAmount, fiscalDate, isoWithOffset, verifactuCancellationFingerprint, verifactuFingerprint, verifactuQrUrl } from './verifactu';

describe('Verifactu fingerprint', () => {
  it('reproduces the published example of the AEAT specification exactly', () => {
    expect(
      verifactuFingerprint({
        IDEmisorFactura: '89890001K',
        NumSerieFactura: '12345678/G33',
        FechaExpedicionFactura: '01-01-2024',
        TipoFactura: 'F1',
        CuotaTotal: '12.35',
        ImporteTotal: '123.45',
        Huella: '',
        FechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
      }),
    ).toBe('3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60');
  });

  it('trims values, and any change of a field changes the fingerprint', () => {
    const record = {
      IDEmisorFactura: ' 89890001K ',
      NumSerieFactura: '12345678/G33',
      FechaExpedicionFactura: '01-01-2024',
      TipoFactura: 'F1',
      CuotaTotal: '12.35',
      ImporteTotal: '123.45',
      Huella: '',
      FechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
    };
    expect(verifactuFingerprint(record)).toBe('3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60');
    expect(verifactuFingerprint({ ...record, ImporteTotal: '123.46' })).not.toBe('3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60');
  });

  it('hashes a cancellation record from its own fields, in the specified order', () => {
    const fields = {
      IDEmisorFacturaAnulada: '89890001K',
      NumSerieFacturaAnulada: '12345678/G33',
      FechaExpedicionFacturaAnulada: '01-01-2024',
      Huella: '3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60',
      FechaHoraHusoGenRegistro: '2024-01-01T19:20:35+01:00',
    };
    const text =
      'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345678/G33&FechaExpedicionFacturaAnulada=01-01-2024' +
      '&Huella=3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60&FechaHoraHusoGenRegistro=2024-01-01T19:20:35+01:00';
    expect(verifactuCancellationFingerprint(fields)).toBe(createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase());
    expect(verifactuCancellationFingerprint(fields)).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe('fiscal formats', () => {
  it('formats amounts as the literal the record carries', () => {
    expect([fiscalAmount(1235), fiscalAmount(12345), fiscalAmount(400), fiscalAmount(5), fiscalAmount(-1235), fiscalAmount(0)]).toEqual([
      '12.35',
      '123.45',
      '4.00',
      '0.05',
      '-12.35',
      '0.00',
    ]);
  });

  it('gives the local date and time with its offset, summer and winter', () => {
    expect(isoWithOffset(new Date('2024-01-01T18:20:30Z'), 'Europe/Madrid')).toBe('2024-01-01T19:20:30+01:00');
    expect(isoWithOffset(new Date('2024-07-01T18:20:30.900Z'), 'Europe/Madrid')).toBe('2024-07-01T20:20:30+02:00');
    expect(isoWithOffset(new Date('2024-07-01T18:20:30Z'), 'America/New_York')).toBe('2024-07-01T14:20:30-04:00');
    // 23:30 UTC on 31 December is already 1 January in Madrid.
    expect(fiscalDate(new Date('2023-12-31T23:30:00Z'), 'Europe/Madrid')).toBe('01-01-2024');
  });

  it('builds the QR URL with every parameter encoded', () => {
    expect(verifactuQrUrl({ nif: '89890001K', numserie: '12345678&G33', fecha: '01-01-2024', importe: '241.40' })).toBe(
      'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQRNoVerifactu?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.40',
    );
    expect(verifactuQrUrl({ nif: 'B1', numserie: 'A/1', fecha: '01-01-2024', importe: '1.00' }, { sendsToAgency: true, testHost: true })).toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B1&numserie=A%2F1&fecha=01-01-2024&importe=1.00',
    );
  });
});
