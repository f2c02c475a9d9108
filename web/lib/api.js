// The API client every page uses: each answer becomes {ok, status, data}; error bodies are
// {error, message, ...} and always carry a sentence to show, in the page's language when the page
// loaded its texts (the server's own sentence stays in server_message).
import { errorText } from './i18n.js';

/**
 * @typedef {{ error?: string, message: string, details?: unknown, [key: string]: any }} ApiErrorBody
 * @typedef {{ ok: boolean, status: number, data: any }} ApiResult
 */

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {string | null} [token] a Bearer token
 * @param {{ cache?: RequestCache }} [opts] the page strings may come from the browser's cache
 * @returns {Promise<ApiResult>}
 */
export async function request(method, path, body, token, { cache = 'no-store' } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache,
    });
  } catch {
    return {
      ok: false,
      status: 0,
      data: {
        error: 'network',
        message: errorText(0, { error: 'network' }) ?? 'We could not reach the clinic server. Check your connection and try again.',
      },
    };
  }
  /** @type {any} */
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    data = data && typeof data === 'object' ? data : {};
    data.server_message = data.message;
    data.message = errorText(res.status, data) ?? (data.message || fallbackMessage(res.status, data));
  }
  return { ok: res.ok, status: res.status, data };
}

/**
 * @param {number} status
 * @param {{ retry_after?: unknown }} data
 */
function fallbackMessage(status, data) {
  if (status === 429) {
    const wait = Number(data.retry_after);
    return wait > 0
      ? `Too many attempts. Please try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`
      : 'Too many attempts. Please wait a few minutes and try again.';
  }
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return 'Something went wrong. Please check the details and try again.';
}
