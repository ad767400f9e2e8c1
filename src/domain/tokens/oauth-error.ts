/**
 * An OAuth protocol error: the `error` code of RFC 6749 §5.2 (and RFC 7591 §3.2.2, RFC 8707 §2)
 * with a description that says what to do. The OAuth routes answer it as
 * `{"error", "error_description"}`, or as query parameters on a redirect back to the client.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
