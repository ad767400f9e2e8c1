/**
 * DSN = `<scheme>://<public key>@<host>[:port][/path]/<project id>` (develop-docs authentication.mdx).
 * A path prefix in the public URL is kept: SDKs then post to `<prefix>/api/<id>/envelope/`.
 */
export function formatDsn(publicUrl: string, publicKey: string, projectId: number): string {
  const url = new URL(publicUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${publicKey}@${url.host}${prefix}/${projectId}`;
}
