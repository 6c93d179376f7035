import {
  CustomerTxGroups,
  type GroupCommitStats,
  type GroupedUnit,
  type GroupRunner,
  UnitFailed,
} from '../../src/store/postgres/customer-tx-groups.js';
import { DatabaseUnavailableError } from '../../src/store/store-errors.js';

/** A unit whose result is its name; `fails` throws when run in a group or alone. */
interface Unit extends GroupedUnit<unknown> {
  name: string;
  fails?: 'always' | 'in-group';
}

/**
 * A runner whose transactions finish only when the test says so: it records what ran together
 * and in what order, like the database would see it.
 */
class ManualRunner implements GroupRunner<Unit> {
  readonly started: { kind: 'alone' | 'together'; names: string[]; finish: () => void }[] = [];
  failCommit = false;
  /** The group's connection is lost while its COMMIT is under way (outcome unknown). */
  loseCommit = false;

  alone(unit: Unit): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.started.push({
        kind: 'alone',
        names: [unit.name],
        finish: () =>
          unit.fails === 'always' ? reject(new Error(`${unit.name} failed`)) : resolve(unit.name),
      });
    });
  }

  together(units: Unit[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.started.push({
        kind: 'together',
        names: units.map((u) => u.name),
        finish: () => {
          const failed = units.findIndex((u) => u.fails !== undefined);
          if (failed >= 0) reject(new UnitFailed(failed, new Error('unit failed')));
          else if (this.failCommit) reject(new Error('commit failed'));
          else if (this.loseCommit) reject(new DatabaseUnavailableError(true));
          else resolve(units.map((u) => u.name));
        },
      });
    });
  }

  /** Finish the oldest transaction still running, then let the queue move. */
  async finishNext(): Promise<void> {
    const next = this.started.find((s) => !('done' in s));
    if (!next) throw new Error('nothing is running');
    Object.assign(next, { done: true });
    next.finish();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }

  get running(): string[][] {
    return this.started.filter((s) => !('done' in s)).map((s) => s.names);
  }
}

function submitAll(
  groups: CustomerTxGroups<Unit>,
  specs: { name: string; customer: string; fails?: Unit['fails'] }[],
): Map<string, Promise<unknown>> {
  const results = new Map<string, Promise<unknown>>();
  for (const s of specs) {
    results.set(
      s.name,
      new Promise((resolve, reject) => {
        groups.submit({ name: s.name, customerId: s.customer, fails: s.fails, resolve, reject });
      }),
    );
  }
  // Rejections are asserted later; keep Node from reporting them as unhandled meanwhile.
  for (const p of results.values()) p.catch(() => {});
  return results;
}

async function drain(runner: ManualRunner): Promise<void> {
  while (runner.running.length > 0) await runner.finishNext();
}

describe('CustomerTxGroups', () => {
  it('runs a unit at once and alone while a slot is free, and groups the units that wait', async () => {
    const runner = new ManualRunner();
    const stats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 };
    const groups = new CustomerTxGroups<Unit>({ concurrency: 2, maxSize: 32 }, runner, stats);
    const results = submitAll(
      groups,
      ['a', 'b', 'c', 'd', 'e'].map((c) => ({ name: c, customer: c })),
    );
    expect(runner.started.map((s) => [s.kind, s.names])).toEqual([
      ['alone', ['a']],
      ['alone', ['b']],
    ]);
    expect(groups.waiting).toBe(3);
    await runner.finishNext();
    expect(runner.running).toEqual([['b'], ['c', 'd', 'e']]);
    await drain(runner);
    for (const [name, p] of results) await expect(p).resolves.toBe(name);
    expect(stats).toEqual({ transactions: 3, units: 5, rerun: 0 });
  });

  it('never puts two units of one customer in flight together, and keeps their order', async () => {
    const runner = new ManualRunner();
    const groups = new CustomerTxGroups<Unit>({ concurrency: 2, maxSize: 32 }, runner);
    submitAll(groups, [
      { name: 'x1', customer: 'x' },
      { name: 'x2', customer: 'x' },
      { name: 'y1', customer: 'y' },
      { name: 'x3', customer: 'x' },
      { name: 'z1', customer: 'z' },
    ]);
    // x2 waits for x1 (in flight); y1 takes the second slot.
    expect(runner.running).toEqual([['x1'], ['y1']]);
    await runner.finishNext();
    // One x per group: x2 with z1; x3 waits for x2.
    expect(runner.running).toEqual([['y1'], ['x2', 'z1']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['x2', 'z1']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['x3']]);
    await drain(runner);
  });

  it('caps a group at maxSize and the transactions in flight at concurrency', async () => {
    const runner = new ManualRunner();
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 3 }, runner);
    submitAll(
      groups,
      Array.from({ length: 8 }, (_, i) => ({ name: `u${i}`, customer: `c${i}` })),
    );
    expect(runner.running).toEqual([['u0']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['u1', 'u2', 'u3']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['u4', 'u5', 'u6']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['u7']]);
    await drain(runner);
  });

  it('runs a unit that failed in its group alone, and the others together again', async () => {
    const runner = new ManualRunner();
    const stats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 };
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 32 }, runner, stats);
    const results = submitAll(groups, [
      { name: 'first', customer: 'f' },
      { name: 'ok1', customer: 'a' },
      { name: 'bad', customer: 'b', fails: 'always' },
      { name: 'ok2', customer: 'c' },
    ]);
    await runner.finishNext(); // first, alone
    expect(runner.running).toEqual([['ok1', 'bad', 'ok2']]);
    await runner.finishNext(); // the group rolls back
    expect(runner.running).toEqual([['bad']]);
    await runner.finishNext();
    expect(runner.running).toEqual([['ok1', 'ok2']]);
    await drain(runner);
    await expect(results.get('bad')).rejects.toThrow('bad failed');
    await expect(results.get('ok1')).resolves.toBe('ok1');
    await expect(results.get('ok2')).resolves.toBe('ok2');
    expect(stats).toEqual({ transactions: 4, units: 3, rerun: 3 });
  });

  it('answers a unit that fails only in company with its result alone', async () => {
    const runner = new ManualRunner();
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 32 }, runner);
    const results = submitAll(groups, [
      { name: 'first', customer: 'f' },
      { name: 'shy', customer: 'a', fails: 'in-group' },
      { name: 'ok', customer: 'b' },
    ]);
    await drain(runner);
    await expect(results.get('shy')).resolves.toBe('shy');
    await expect(results.get('ok')).resolves.toBe('ok');
  });

  it('runs every unit alone when the group fails to commit', async () => {
    const runner = new ManualRunner();
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 32 }, runner);
    const results = submitAll(
      groups,
      ['f', 'a', 'b', 'c'].map((c) => ({ name: c, customer: c })),
    );
    await runner.finishNext();
    runner.failCommit = true;
    await runner.finishNext();
    runner.failCommit = false;
    await drain(runner);
    expect(runner.started.map((s) => [s.kind, s.names.join()])).toEqual([
      ['alone', 'f'],
      ['together', 'a,b,c'],
      ['alone', 'a'],
      ['alone', 'b'],
      ['alone', 'c'],
    ]);
    for (const [name, p] of results) await expect(p).resolves.toBe(name);
  });

  it('says when it is idle again, once the last unit in flight finished', async () => {
    const runner = new ManualRunner();
    let idleCalls = 0;
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 32 }, runner, undefined, () => {
      idleCalls++;
    });
    expect(groups.idle).toBe(true);
    submitAll(
      groups,
      ['a', 'b', 'c'].map((c) => ({ name: c, customer: c })),
    );
    expect(groups.idle).toBe(false);
    await runner.finishNext(); // a; b and c start as a group
    expect([groups.idle, idleCalls]).toEqual([false, 0]);
    await runner.finishNext();
    expect([groups.idle, idleCalls]).toEqual([true, 1]);
  });

  it('does not rerun a group whose database connection was lost: every unit gets the error', async () => {
    const runner = new ManualRunner();
    const stats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 };
    const groups = new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 32 }, runner, stats);
    const results = submitAll(
      groups,
      ['f', 'a', 'b'].map((c) => ({ name: c, customer: c })),
    );
    await runner.finishNext();
    runner.loseCommit = true;
    await runner.finishNext();
    expect(runner.started.map((s) => [s.kind, s.names.join()])).toEqual([
      ['alone', 'f'],
      ['together', 'a,b'],
    ]);
    await expect(results.get('f')).resolves.toBe('f');
    for (const name of ['a', 'b']) {
      await expect(results.get(name)).rejects.toMatchObject({ commitUnknown: true });
    }
    expect(stats.rerun).toBe(0);
  });

  it('refuses limits that are not positive integers', () => {
    const runner = new ManualRunner();
    expect(() => new CustomerTxGroups<Unit>({ concurrency: 0, maxSize: 1 }, runner)).toThrow(RangeError);
    expect(() => new CustomerTxGroups<Unit>({ concurrency: 1, maxSize: 1.5 }, runner)).toThrow(RangeError);
  });
});
