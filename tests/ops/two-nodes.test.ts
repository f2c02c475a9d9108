// Two Asterisk nodes, one database (SPEC §2, §12): a clinic with two PBXs runs one ivr process per
// Asterisk, both on the SQLite file of the app host, ARI over the network. Here: two real Asterisk
// 22 instances on ports of their own, two `MEDQ_ROLES=ivr` OS processes (src/main.ts), one file;
// callers on both nodes at once for the same doctor, the same new phone on both at once, and a slot
// lost to the other node after its hold ran out. Then no slot is booked twice, every call is booked (or told the slot was taken and offered the next, or
// — the same person twice — told they already have that doctor that day), one account per phone,
// and each node answers /readyz for its own Asterisk.
import { cp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerHarness, freeTcpPort, requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { MedqProcess, pollHttp } from '../support/medq-process.js';
import { Scrape } from '../support/prometheus.js';
import { IvrCall, renderPromptsWithCli } from '../ari/support-ivr.js';

const real = requireRealAsterisk();

interface Node {
  name: string;
  ast: AsteriskInstance;
  app: MedqProcess;
  port: number;
  harness: CallerHarness;
}

describe.skipIf(!real.available)('two Asterisk nodes, two ivr processes, one database', () => {
  let t: TestDb;
  const nodes: Node[] = [];
  const asts: AsteriskInstance[] = [];
  const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] => t.db.$client.prepare(sql).all(...params) as T[];

  beforeAll(async () => {
    t = createTestDb();
    asts.push(await startAsterisk({ name: 'node-a' }));
    asts.push(await startAsterisk({ name: 'node-b' }));
    // One prompt rendering, the same files on both PBXs (as clinic IT would copy them).
    await renderPromptsWithCli(asts[0]!.soundsDir, t.path);
    await cp(`${asts[0]!.soundsDir}/en/medq`, `${asts[1]!.soundsDir}/en/medq`, { recursive: true });
    for (const [i, ast] of asts.entries()) {
      const name = i === 0 ? 'node-a' : 'node-b';
      const port = await freeTcpPort();
      const app = await MedqProcess.start(name, {
        MEDQ_ROLES: 'ivr',
        MEDQ_DB: t.path,
        ARI_URL: ast.ariUrl,
        ARI_USERNAME: ast.ariUser,
        ARI_PASSWORD: ast.ariPassword,
        ARI_APP: 'medq',
        ASTERISK_SOUNDS_DIR: ast.soundsDir,
        MENU_TIMEOUT_MS: '1500',
        METRICS_PORT: String(port),
      });
      nodes.push({ name, ast, app, port, harness: await CallerHarness.connect(ast) });
    }
  }, 300_000);

  afterAll(async () => {
    for (const n of nodes) await n.harness.close().catch(() => undefined);
    for (const n of nodes) await n.app.stop();
    for (const a of asts) await a.stop();
    t?.close();
  });

  const readyz = (n: Node) => `http://127.0.0.1:${n.port}/readyz`;

  it('each node is ready once its ARI link is up; /healthz names the schema', async () => {
    for (const n of nodes) {
      const r = await pollHttp(readyz(n), (a) => a.status === 200, 30_000);
      expect(r.status, `${n.name}: ${r.body}`).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ status: 'ready', checks: { db: 'up', ari: 'up', smpp: 'disabled' } });
      const h = await fetch(`http://127.0.0.1:${n.port}/healthz`).then((x) => x.json());
      expect(h).toMatchObject({ status: 'ok', schema_version: expect.any(Number) });
    }
  });

  it('callers on both nodes at once for the same doctor: no slot twice, one account per phone', async () => {
    const PER_NODE = 6;
    const shared = '+919876530000'; // a new phone that calls both nodes at the same moment
    const plan = nodes.flatMap((n, ni) => [
      ...Array.from({ length: PER_NODE }, (_, i) => ({ node: n, phone: `+9198765${ni + 3}${String(1000 + i).padStart(4, '0')}` })),
      { node: n, phone: shared },
    ]);
    const run = async ({ node, phone }: { node: Node; phone: string }) => {
      const c = new IvrCall(await node.harness.call({ callerId: phone }), node.harness);
      await c.ready();
      // Type-ahead: book, doctor 1, first slot; all calls race for the same doctor's day.
      let from = await c.press('111');
      const heard: string[] = [];
      for (let round = 0; round < 5; round++) {
        const m = await c.waitMedia(/^sound:medq\/(confirmed|slot-taken|booking-failed[a-z-]*|technical-problem)$/, { from, timeoutMs: 30_000 });
        const what = m.uri.slice('sound:medq/'.length);
        heard.push(what);
        if (what !== 'slot-taken') break;
        // Told the slot went to someone else, and offered the next one: take it.
        from = await c.pressAfter('slot-offer-intro', '1', m.index);
      }
      await c.hangup().catch(() => undefined);
      await c.ended(20_000);
      return { node: node.name, phone, heard, channel: c.appChannelId };
    };
    // First the same new phone on both nodes at the same moment (so both are offered today's first
    // free slots, one day), then every other caller on both nodes at once.
    const sharedFirst = await Promise.all(plan.filter((p) => p.phone === shared).map(run));
    const outcomes = [...sharedFirst, ...(await Promise.all(plan.filter((p) => p.phone !== shared).map(run)))];

    const rows = q<{ person_phone: string; date: string; slot_time: string; token_number: string; doctor_id: number; status: string; channel: string }>(
      "select person_phone, date, slot_time, token_number, doctor_id, status, channel from appointments where status = 'booked'",
    );
    // No slot booked twice, no token given twice (capacity 1).
    expect(new Set(rows.map((r) => `${r.doctor_id} ${r.date} ${r.slot_time}`)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => `${r.doctor_id} ${r.date} ${r.token_number}`)).size).toBe(rows.length);
    expect(rows.every((r) => r.doctor_id === 1 && r.channel === 'ivr')).toBe(true);

    // Every other caller: booked (possibly after "slot taken, here is the next").
    for (const o of outcomes.filter((o) => o.phone !== shared)) {
      expect(o.heard.at(-1), `${o.node} ${o.phone}: ${o.heard.join(' ')}`).toBe('confirmed');
      expect(o.heard.slice(0, -1).every((h) => h === 'slot-taken')).toBe(true);
      expect(rows.filter((r) => r.person_phone === o.phone)).toHaveLength(1);
    }
    // The same new phone on both nodes at once: one account, one booking with that doctor that
    // day; the other call is told so (SPEC §4: not two bookings with one doctor on one day).
    const sharedCalls = outcomes.filter((o) => o.phone === shared);
    expect(sharedCalls.map((o) => o.node).sort()).toEqual(['node-a', 'node-b']);
    const sharedRows = rows.filter((r) => r.person_phone === shared);
    if (sharedRows.length === 2) {
      // Only when the day's last slot went between the two offers (the clock is the real one):
      // two days, two bookings, both heard.
      expect(sharedRows[0]!.date).not.toBe(sharedRows[1]!.date);
      expect(sharedCalls.map((o) => o.heard.at(-1))).toEqual(['confirmed', 'confirmed']);
    } else {
      expect(sharedRows).toHaveLength(1);
      expect(sharedCalls.map((o) => o.heard.at(-1)).sort()).toEqual(['booking-failed-already-booked', 'confirmed']);
    }

    const phones = [...new Set(plan.map((p) => p.phone))];
    for (const p of phones) {
      expect(q('select count(*) as n from accounts where phone = ?', p), p).toEqual([{ n: 1 }]);
      // One account, so one temporary password: one welcome SMS.
      expect(q("select count(*) as n from sms_outbox where phone = ? and kind = 'welcome'", p), p).toEqual([{ n: 1 }]);
    }
    expect(rows).toHaveLength(phones.length - 1 + sharedRows.length);
    expect(q('select * from slot_holds')).toEqual([]);

    // Each node counted its own calls; together they are every booking in the database.
    const scrapes = await Promise.all(nodes.map((n) => Scrape.of(`http://127.0.0.1:${n.port}/metrics`)));
    const perNode = scrapes.map((s) => s.value('medq_bookings_total', { channel: 'ivr' }));
    expect(perNode[0]! + perNode[1]!).toBe(rows.length);
    expect(perNode.every((v) => v >= PER_NODE)).toBe(true);
    for (const [i, n] of nodes.entries()) {
      expect(scrapes[i]!.value('medq_calls_total', { outcome: 'booked' }) >= PER_NODE, n.name).toBe(true);
      expect(scrapes[i]!.value('medq_ari_up'), n.name).toBe(1);
    }
    // Each node's log lines of a call name that call's channel, and only that node saw it.
    for (const o of outcomes) {
      const node = nodes.find((n) => n.name === o.node)!;
      const other = nodes.find((n) => n.name !== o.node)!;
      expect(node.app.json().some((l) => l['call'] === o.channel)).toBe(true);
      expect(other.app.json().some((l) => l['call'] === o.channel)).toBe(false);
    }
    console.log(
      '[two nodes]',
      JSON.stringify({ calls: outcomes.length, booked: rows.length, perNode, slotTaken: outcomes.filter((o) => o.heard.includes('slot-taken')).length }),
    );
  }, 180_000);

  it('a slot whose hold ran out is booked on the other node: its first caller is told it was taken and offered the next', async () => {
    const [a, b] = nodes as [Node, Node];
    const first = '+919876539001';
    const second = '+919876539002';
    const ca = new IvrCall(await a.harness.call({ callerId: first }), a.harness);
    await ca.ready();
    let from = await ca.pressAfter('main-menu', '1');
    from = await ca.pressAfter('doctor-menu-intro', '1', from);
    await ca.waitMedia('medq:slot-offer-intro', { from });
    const [hold] = q<{ date: string; slot_time: string }>('select date, slot_time from slot_holds where holder = ?', ca.appChannelId);
    expect(hold).toBeDefined();
    // The caller on node A hesitates past the hold (60 s, here moved on at once) ...
    t.db.$client.prepare('update slot_holds set expires_at = ? where holder = ?').run(Date.now() - 1, ca.appChannelId);
    // ... and a caller on node B is offered that very slot and books it.
    const cb = new IvrCall(await b.harness.call({ callerId: second }), b.harness);
    await cb.ready();
    await cb.waitMedia('medq:confirmed', { from: await cb.press('111'), timeoutMs: 30_000 });
    await cb.hangup();
    const mine = (phone: string) => q<{ date: string; slot_time: string }>("select date, slot_time from appointments where person_phone = ? and status = 'booked'", phone);
    expect(mine(second)).toEqual([hold]);

    // Now A confirms: told the slot was taken, offered the next one, takes it.
    const mark = await ca.press('1');
    const taken = await ca.waitMedia('medq:slot-taken', { from: mark, timeoutMs: 15_000 });
    const next = await ca.pressAfter('slot-offer-intro', '1', taken.index);
    await ca.waitMedia('medq:confirmed', { from: next, timeoutMs: 15_000 });
    await ca.hangup();
    await Promise.all([ca.ended(), cb.ended()]);
    const got = mine(first);
    expect(got).toHaveLength(1);
    expect(`${got[0]!.date} ${got[0]!.slot_time}` > `${hold!.date} ${hold!.slot_time}`).toBe(true);
    expect(q('select count(*) as n from accounts where phone in (?, ?)', first, second)).toEqual([{ n: 2 }]);
    expect(q('select * from slot_holds')).toEqual([]);
  }, 90_000);

  it("a node whose Asterisk is stopped answers /readyz 503; the other stays ready", async () => {
    const [a, b] = nodes as [Node, Node];
    await b.harness.close();
    await b.ast.stop();
    const down = await pollHttp(readyz(b), (r) => r.status === 503, 20_000);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ status: 'not_ready', checks: { db: 'up', ari: 'down', smpp: 'disabled' } });
    const up = await fetch(readyz(a));
    expect(up.status).toBe(200);
    // Still alive (liveness is not readiness): the process waits for its Asterisk to return.
    expect((await fetch(`http://127.0.0.1:${b.port}/healthz`)).status).toBe(200);
    expect(b.app.child.exitCode).toBeNull();
  }, 60_000);
});
