/**
 * A browser's cookie behaviour for plain `fetch`, enough for login flows: cookies are kept per host
 * (like browsers, not per port), `Max-Age=0` deletes, and redirects are followed by hand so a test
 * can stop at, read or alter any hop (the authorization URL, the callback URL).
 */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const host = new URL(url).hostname;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    this.byHost.set(host, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).hostname)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const host = new URL(url).hostname;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    this.byHost.set(host, jar);
    jar.set(name, value);
  }

  header(url: string): string | undefined {
    const jar = this.byHost.get(new URL(url).hostname);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** One request, no redirect following, cookies sent and stored. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }

  /**
   * GETs `url` and follows redirects until `stop(nextUrl)` says so or a non-redirect answers.
   * Returns the last response and, if stopped, the URL it would have gone to next.
   */
  async follow(
    url: string,
    stop: (next: URL) => boolean = () => false,
    maxHops = 15,
  ): Promise<{ response: Response; url: string; next?: URL }> {
    let current = url;
    for (let hop = 0; hop < maxHops; hop++) {
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (stop(next)) return { response, url: current, next };
      current = next.href;
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }
}
