import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import type { Receipt } from './receipts';

const KIND_TITLE: Record<Receipt['documentType'], string> = {
  simplifiedInvoice: 'Factura simplificada · Receipt',
  correctiveInvoice: 'Factura rectificativa · Refund receipt',
  receipt: 'Receipt',
};

const TENDER_LABEL: Record<string, string> = { card: 'Card', cash: 'Cash', giftCard: 'Gift card', points: 'Points', other: 'Other' };

const STYLE = `
body{font:16px/1.45 system-ui,sans-serif;color:#111;background:#fff;margin:0 auto;max-width:28rem;padding:1rem}
h1{font-size:1.25rem;margin:0}h2{font-size:1rem;margin:1.25rem 0 .25rem}
table{width:100%;border-collapse:collapse}td,th{padding:.2rem 0;vertical-align:top;text-align:left}
.n{text-align:right;white-space:nowrap}.total td{font-weight:700;font-size:1.15rem;border-top:2px solid #111}
small,.muted{color:#444}.qr{margin:1.25rem 0;text-align:center}.qr img{width:38mm;height:38mm}
@media print{body{max-width:80mm;padding:0;font-size:12px}}
`;

/**
 * The page's Content-Security-Policy (a meta tag: Blob Storage cannot send response headers of our
 * own): nothing may load or run but its one style sheet (by hash) and the QR image (a data: URL);
 * no scripts, frames, fonts, forms or base URL. Its links carry a SAS token, so no Referer leaves it.
 */
export const RECEIPT_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The receipt as a self-contained page: mobile-first, readable without styles, printable on a
 * narrow till roll, the QR drawn as an inline SVG image (30-40 mm when printed, error correction M).
 */
export async function renderReceiptHtml(receipt: Receipt): Promise<string> {
  const locale = receipt.issuer.country === 'ES' ? 'es-ES' : 'en-GB';
  const sign = receipt.type === 'return' ? -1 : 1;
  const money = (minor: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: receipt.currency }).format((sign * minor) / 100);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: receipt.timeZone }).format(new Date(receipt.occurredAt));
  const qr = receipt.fiscal ? await QRCode.toString(receipt.fiscal.qrUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }) : null;

  const lines = receipt.lines
    .map(
      (l) =>
        `<tr><td>${escape(l.description ?? l.sku)}<br><small>${l.quantity} × ${money(l.unitPrice)}${l.discount ? ` · discount ${money(-l.discount)}` : ''} · VAT ${l.taxRate}%</small></td><td class="n">${money(l.total)}</td></tr>`,
    )
    .join('');
  const vat = receipt.vat
    .map((v) => `<tr><td>${v.rate}%</td><td class="n">${money(v.base)}</td><td class="n">${money(v.tax)}</td><td class="n">${money(v.total)}</td></tr>`)
    .join('');
  const tenders = receipt.tenders.map((t) => `<tr><td>${TENDER_LABEL[t.type] ?? escape(t.type)}</td><td class="n">${money(t.amount)}</td></tr>`).join('');
  const extras = [
    ...(receipt.extras.giftCards ?? []).map((g) => `<p>Gift card ${escape(g.reference.slice(-4))}: ${money(g.balanceLeft)} left</p>`),
    ...(receipt.extras.loyalty ? [`<p>Points earned: ${receipt.extras.loyalty.pointsEarned} · Balance: ${receipt.extras.loyalty.balance}</p>`] : []),
  ].join('');

  return `<!doctype html>
<html lang="${locale.slice(0, 2)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${RECEIPT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(receipt.issuer.name)} · ${escape(receipt.invoiceNumber)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escape(receipt.issuer.name)}</h1>
<p class="muted">${receipt.issuer.taxId ? `NIF ${escape(receipt.issuer.taxId)} · ` : ''}${escape(receipt.issuer.locationName)}</p>
<p><strong>${KIND_TITLE[receipt.documentType]}</strong><br>No. <span id="invoice-number">${escape(receipt.invoiceNumber)}</span><br><time datetime="${escape(receipt.occurredAt)}">${when}</time></p>
${receipt.cancelled ? `<p class="cancelled" role="alert"><strong>ANULADA · CANCELLED</strong> ${escape(receipt.cancelled.at.slice(0, 10))}: ${escape(receipt.cancelled.reason)}</p>` : ''}
${receipt.corrects ? `<p>Corrects ${escape(receipt.corrects.invoiceNumber ?? receipt.corrects.transactionId)}${receipt.corrects.issueDate ? ` of ${receipt.corrects.issueDate}` : ''}</p>` : ''}
</header>
<main>
<table aria-label="Items"><tbody>${lines}</tbody>
<tfoot>${receipt.discountTotal ? `<tr><td>Discounts</td><td class="n">${money(-receipt.discountTotal)}</td></tr>` : ''}
<tr class="total"><td>Total (IVA incluido)</td><td class="n" id="total">${money(receipt.totals.total)}</td></tr></tfoot></table>
${receipt.coupons.length ? `<p>Coupons: ${receipt.coupons.map(escape).join(', ')}</p>` : ''}
<h2>VAT</h2>
<table aria-label="VAT breakdown"><thead><tr><th scope="col">Rate</th><th scope="col" class="n">Base</th><th scope="col" class="n">VAT</th><th scope="col" class="n">Total</th></tr></thead><tbody>${vat}</tbody></table>
<h2>Paid</h2>
<table aria-label="Payments"><tbody>${tenders}</tbody></table>
${extras}
${receipt.returnPolicy ? `<p class="muted">${escape(receipt.returnPolicy)}</p>` : ''}
${qr ? `<div class="qr"><p>QR tributario:</p><img id="fiscal-qr" alt="Tax agency QR code to verify this invoice" src="data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}"></div>` : ''}
</main>
</body>
</html>
`;
}
