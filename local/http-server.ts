/**
 * What the local cloud's own HTTP servers share (the SNS and Cognito proxies, the CloudTrail API, the SageMaker
 * emulator): listening on 127.0.0.1 only, a
 * handler's failure answered 500 rather than left hanging, and a request's body read whole.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Serves `handle` on 127.0.0.1 at `port` (0 picks a free one); resolves once it listens, with the port it got. */
export async function listenOnLoopback(
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

/**
 * The request's body, whole. With a `limit`, a body past `maxBytes` is refused with the service's own error
 * (`tooLarge`) and the connection dropped, as the service would.
 */
export function readBody(req: IncomingMessage, limit?: { maxBytes: number; tooLarge: () => Error }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (limit && size > limit.maxBytes) {
        reject(limit.tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
