/**
 * The one error class. `status` is the HTTP status the edge answers with; `expose` says whether
 * `message` may be shown to the client (it must then tell the user what to do next). Everything
 * else that is thrown is a bug: logged with context and answered with a generic 500.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  /** Extra response headers (Retry-After, X-Sentry-Rate-Limits…). */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { expose?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(code, 400, message);
export const notFound = (message: string, code = 'not_found') => new AppError(code, 404, message);
export const tooLarge = (message: string, code = 'payload_too_large') => new AppError(code, 413, message);
