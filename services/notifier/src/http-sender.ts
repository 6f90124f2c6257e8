/** Most characters of a receiver's answer kept with a delivery; the rest is never read. */
export const RESPONSE_EXCERPT_CHARS = 256;

/** One POST to a receiver. */
export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** What came back: an answer (any status), or no answer (network error, timeout). */
export type SendResult =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfter: string | null; readonly excerpt: string }
  | { readonly kind: 'no-answer'; readonly error: string };

/** Sends a request; injected so unit tests answer without a network. */
export type Sender = (request: OutgoingRequest) => Promise<SendResult>;

async function excerptOf(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < RESPONSE_EXCERPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, RESPONSE_EXCERPT_CHARS);
}

/**
 * The real sender, on `fetch`: no redirects followed (a 3xx is an answer like any other, so a receiver cannot bounce
 * Vigil to an internal address), the attempt aborted after `timeoutMs`, and at most 256 characters of the answer read.
 */
export const fetchSender: Sender = async (request) => {
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { kind: 'answer', status: response.status, retryAfter: response.headers.get('retry-after'), excerpt: await excerptOf(response) };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'no-answer', error: `timeout: no answer within ${request.timeoutMs} ms` };
    const cause = e.cause?.code ?? e.cause?.message;
    return { kind: 'no-answer', error: `network error: ${e.message ?? String(err)}${cause === undefined ? '' : ` (${cause})`}` };
  }
};
