/** QR codes (the qrcode package) as SVG data URLs, for an <img> (the CSP allows data: images). */
import QRCode from "qrcode";

export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}
