// Types for the parts of node-smpp 0.5.1 this project uses (the package ships none).
// An ambient script (no top-level import/export), so `import smpp from 'smpp'` finds it.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A PDU: header fields plus the command's params and TLVs as own properties. */
    class PDU {
      constructor(command: string, options?: Record<string, unknown>);
      command: string;
      command_id: number;
      command_length: number;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
      [field: string]: unknown;
    }

    class Session extends EventEmitter {
      socket: Socket;
      server?: Server;
      /** false when the socket is not writable (nothing was sent, no callback will run). */
      send(pdu: PDU, responseCallback?: (resp: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      url?: string;
      host?: string;
      port?: number;
      tls?: boolean;
      auto_enquire_link_period?: number;
      [tlsOption: string]: unknown;
    }

    const errors: Record<string, number>;
    const consts: Record<string, Record<string, number>>;
    /** Registers an optional parameter (TLV) under a field name, for encoding and decoding. */
    function addTLV(
      tag: string,
      options: {
        id: number;
        type: { read(b: Buffer, offset: number, length?: number): unknown; write(v: unknown, b: Buffer, offset: number): void; size(v: unknown): number; default: unknown };
      },
    ): void;
    function connect(options: ConnectOptions | string, listener?: () => void): Session;
    function createServer(options?: Record<string, unknown>, listener?: (session: Session) => void): Server;
    function createServer(listener: (session: Session) => void): Server;
  }

  export = smpp;
}
