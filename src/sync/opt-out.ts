// SMS opt-out (SPEC §7): a phone that replied STOP, or chose so in the IVR, gets no reminder and
// no "queue near" SMS. Never more than that: codes it asked for, confirmations and cancellations
// of what it did still go out.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { smsOptOuts } from '../db/schema.js';
import { writeTx, type SyncContext, type Tx } from './context.js';

/** Whether reminder and queue SMS must not go to this (E.164) phone. Usable inside a transaction. */
export function isOptedOut(db: Tx | Db, phone: string): boolean {
  return db.select({ phone: smsOptOuts.phone }).from(smsOptOuts).where(eq(smsOptOuts.phone, phone)).get() !== undefined;
}

/** Sets the phone's opt-out inside the caller's transaction; true when it changed anything. */
export function setOptOutInTx(tx: Tx, phone: string, optedOut: boolean, now: Date): boolean {
  if (optedOut) {
    return tx.insert(smsOptOuts).values({ phone, createdAt: now.toISOString() }).onConflictDoNothing().run().changes === 1;
  }
  return tx.delete(smsOptOuts).where(eq(smsOptOuts.phone, phone)).run().changes === 1;
}

export function setSmsOptOut(ctx: SyncContext, phone: string, optedOut: boolean): { optedOut: boolean; changed: boolean } {
  return writeTx(ctx, (tx) => ({ optedOut, changed: setOptOutInTx(tx, phone, optedOut, ctx.now()) }));
}

/** Turns reminder/queue SMS off when on, on when off (IVR "my appointments" key 3). */
export function toggleSmsOptOut(ctx: SyncContext, phone: string): { optedOut: boolean } {
  return writeTx(ctx, (tx) => {
    const optedOut = !isOptedOut(tx, phone);
    setOptOutInTx(tx, phone, optedOut, ctx.now());
    return { optedOut };
  });
}
