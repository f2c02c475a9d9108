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
