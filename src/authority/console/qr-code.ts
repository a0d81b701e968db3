// The enrollment QR code, drawn with the optional `qrcode` package (loaded only when a code is
// minted, so an authority without it still starts; the page then shows the code as text only).

/** What the QR code encodes: a JSON object that `redeemEnrollment` takes as it is. */
export function enrollmentQrText(baseUrl: string, code: string): string {
  return JSON.stringify({ baseUrl, code });
}

interface QrModule {
  toString(text: string, options: { type: 'svg'; errorCorrectionLevel: 'M'; margin: number }): Promise<string>;
}

/** The QR code of `text` as inline SVG markup (labelled as an image), or null when `qrcode` is not installed. */
export async function qrSvg(text: string, label: string): Promise<string | null> {
  let qr: QrModule;
  try {
    const mod = (await import('qrcode')) as unknown as QrModule & { default?: QrModule };
    qr = mod.default ?? mod;
  } catch {
    return null;
  }
  const svg = await qr.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const safeLabel = label.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${safeLabel}" focusable="false" `);
}
