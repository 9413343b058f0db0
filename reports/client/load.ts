/**
 * Reads the payload the page embeds (reports/build.ts): base64 text in a data block,
 * gzip-inflated with the browser's own DecompressionStream, then JSON. Nothing is
 * fetched: the bytes are already in the document.
 */
import { payloadProblem, type ReportPayload } from '../payload.js';

export const PAYLOAD_ELEMENT_ID = 'isolab-payload';

function bytesOfBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/** The report's payload; throws an Error with a sentence when it is missing or malformed. */
export async function loadPayload(doc: Document): Promise<ReportPayload> {
  const element = doc.getElementById(PAYLOAD_ELEMENT_ID);
  if (element === null) throw new Error('this page holds no isolab report data');
  const text = (element.textContent ?? '').trim();
  let value: unknown;
  try {
    value = JSON.parse(await gunzip(bytesOfBase64(text)));
  } catch {
    throw new Error('the report data is damaged: it does not decompress to JSON');
  }
  const problem = payloadProblem(value);
  if (problem !== null) throw new Error(problem);
  return value as ReportPayload;
}
