// Free loopback ports for test servers (Asterisk's HTTP and SIP, SIPp's SIP and media).
import dgram from 'node:dgram';
import net from 'node:net';

/** A TCP port free on `host` right now. */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Binds `port` on `host` (0: any) and lets it go again: the port bound, or null when it was taken. */
async function bindUdpOnce(host: string, port: number): Promise<number | null> {
  const sock = dgram.createSocket('udp4');
  const bound = await new Promise<boolean>((resolve) => {
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => resolve(true));
  });
  if (!bound) return null;
  const taken = sock.address().port;
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return taken;
}

/** A UDP port free on `host` right now. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const port = await bindUdpOnce(host, 0);
  if (port === null) throw new Error(`no free UDP port on ${host}`);
  return port;
}

/**
 * The first of `count` consecutive UDP ports free on `host` right now, none of them in `avoid`.
 */
async function freeUdpPorts(host: string, count: number, avoid: number[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = await freeUdpPort(host);
    if (first + count > 65536 || avoid.some((p) => p >= first && p < first + count)) continue;
    let all = true;
    for (let p = first + 1; p < first + count && all; p++) all = (await bindUdpOnce(host, p)) !== null;
    if (all) return first;
  }
  throw new Error(`no ${count} consecutive free UDP ports on ${host}`);
}

/**
 * Ports for one SIPp run from `host`: its SIP port, and a media port whose next three are free too.
 * SIPp's `-mp p` binds p to p+3 (audio, its RTCP, video, its RTCP): a free p alone once let its
 * video socket collide (EADDRINUSE), and the whole SIPp run failed before its first call.
 */
export async function freeSippPorts(host: string): Promise<{ sipPort: number; mediaPort: number }> {
  const sipPort = await freeUdpPort(host);
  return { sipPort, mediaPort: await freeUdpPorts(host, 4, [sipPort]) };
}
