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

/** A UDP port free on `host` right now. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, host, resolve);
  });
  const port = sock.address().port;
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

async function udpFree(host: string, port: number): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  const ok = await new Promise<boolean>((resolve) => {
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => resolve(true));
  });
  await new Promise<void>((resolve) => (ok ? sock.close(() => resolve()) : resolve()));
  return ok;
}

/**
 * The first of `count` consecutive UDP ports free on `host` right now. SIPp's media port `-mp p`
 * binds p to p+3 (audio, its RTCP, video, its RTCP): a free p alone once let its video socket
 * collide (EADDRINUSE), and the whole SIPp run failed before its first call.
 */
export async function freeUdpPorts(host = '127.0.0.1', count = 4, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = await freeUdpPort(host);
    if (first + count > 65536 || avoid.some((p) => p >= first && p < first + count)) continue;
    let all = true;
    for (let p = first + 1; p < first + count && all; p++) all = await udpFree(host, p);
    if (all) return first;
  }
  throw new Error(`no ${count} consecutive free UDP ports on ${host}`);
}
