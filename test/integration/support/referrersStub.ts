// The OCI 1.1 referrers API in front of a registry that lacks it (distribution 2.8 answers 404 for the route): every
// request is passed through to the registry, except `GET /v2/<name>/referrers/<digest>`, which the stub answers as
// the distribution spec says a registry with the API must — 200 and an image index of the descriptors of the
// manifests pushed (through the stub) whose `subject` is that digest, empty when there are none (never 404); each
// descriptor's `artifactType` is the manifest's own, else its config's media type; `?artifactType=` filters, and the
// answer then says so in `OCI-Filters-Applied`. Requests are recorded for counting.
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';

export interface ReferrersStub {
  /** `127.0.0.1:PORT`: the registry part of an image reference. */
  host: string;
  url: string;
  /** `METHOD path` of every request so far. */
  requests(): string[];
  clear(): void;
  stop(): Promise<void>;
}

interface Referrer {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const bodyOf = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The referrer descriptor of a pushed manifest with a `subject`, or null. */
function referrerOf(body: Buffer, contentType: string | undefined): { subject: string; referrer: Referrer } | null {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const subject = json.subject as { digest?: unknown } | undefined;
  if (typeof subject?.digest !== 'string') return null;
  const config = json.config as { mediaType?: unknown } | undefined;
  const artifactType =
    typeof json.artifactType === 'string'
      ? json.artifactType
      : typeof config?.mediaType === 'string'
        ? config.mediaType
        : undefined;
  const annotations = json.annotations as Record<string, string> | undefined;
  return {
    subject: subject.digest,
    referrer: {
      mediaType: typeof json.mediaType === 'string' ? json.mediaType : (contentType ?? ''),
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      size: body.length,
      ...(artifactType !== undefined ? { artifactType } : {}),
      ...(annotations !== undefined ? { annotations } : {}),
    },
  };
}

export async function startReferrersStub(options: { target: string }): Promise<ReferrersStub> {
  const target = new URL(options.target);
  const referrers = new Map<string, Referrer[]>();
  let seen: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      const route = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/.exec(url.pathname);
      if (route && req.method === 'GET') {
        const wanted = url.searchParams.get('artifactType');
        const all = referrers.get(`${route[1]}@${route[2]}`) ?? [];
        const listed = wanted === null ? all : all.filter((r) => r.artifactType === wanted);
        res.writeHead(200, {
          'content-type': OCI_INDEX,
          ...(wanted === null ? {} : { 'oci-filters-applied': 'artifactType' }),
        });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: listed }));
        return;
      }
      const body = await bodyOf(req);
      const manifestPut = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname);
      const upstream = httpRequest(
        new URL(`${url.pathname}${url.search}`, target),
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          if (manifestPut && req.method === 'PUT' && answer.statusCode === 201) {
            const found = referrerOf(body, req.headers['content-type']);
            if (found) {
              const key = `${manifestPut[1]}@${found.subject}`;
              referrers.set(key, [...(referrers.get(key) ?? []), found.referrer]);
            }
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    clear: () => {
      seen = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
