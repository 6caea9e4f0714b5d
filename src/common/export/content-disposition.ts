/**
 * `Content-Disposition: attachment` naming the file twice: `filename` in plain ASCII for old
 * clients, and `filename*` (RFC 5987/6266) in UTF-8 so a Chinese name arrives intact.
 */
export function attachmentDisposition(fileName: string, asciiFallback: string = asciiFileName(fileName)): string {
  return `attachment; filename="${asciiFileName(asciiFallback)}"; filename*=UTF-8''${rfc5987(fileName)}`;
}

/** Printable ASCII only, without the quote and backslash a quoted-string would have to escape. */
export function asciiFileName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return ascii.trim() === '' ? 'download' : ascii;
}

/** Percent-encodes everything but RFC 5987's attr-char (encodeURIComponent leaves ' ( ) * alone). */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
