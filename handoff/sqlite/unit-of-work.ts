// The UnitOfWork on one better-sqlite3 connection. better-sqlite3 runs a transaction only around synchronous
// code, and an async unit spans awaits; so the unit opens BEGIN IMMEDIATE itself and keeps it open across its
// awaits. On one connection every statement joins whatever transaction is open, so while a unit is open any
// other caller's store call must wait for it, or it would be committed or rolled back with someone else's
// work (and would read uncommitted rows). Every SQLite store is therefore wrapped in `gated`: a call from
// inside the open unit (AsyncLocalStorage follows it through awaits, timers and promises) or made while none
// is open runs at once, with no extra tick; any other call waits until the unit ends. Units themselves queue
// one behind another. A unit's work is a few synchronous statements between awaits, so the wait is short.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { Db } from './db.ts';

interface OpenUnit {
  /** Settles when the unit has committed or rolled back. */
  readonly ended: Promise<void>;
  /** Run after the commit, in order. */
  readonly afterCommit: Array<() => void>;
}

interface Gate {
  /** The unit whose transaction is open now, if any. */
  open: OpenUnit | undefined;
  /** The last unit queued (open or waiting): the next unit starts after it. */
  tail: Promise<void>;
  readonly scope: AsyncLocalStorage<OpenUnit>;
}

const gates = new WeakMap<Db, Gate>();

function gateOf(db: Db): Gate {
  let gate = gates.get(db);
  if (!gate) {
    gate = { open: undefined, tail: Promise.resolve(), scope: new AsyncLocalStorage<OpenUnit>() };
    gates.set(db, gate);
  }
  return gate;
}

/** True when a call may run now: no unit is open, or the caller is inside the open one. */
function mayRun(gate: Gate): boolean {
  return gate.open === undefined || gate.scope.getStore() === gate.open;
}

async function waitTurn(gate: Gate): Promise<void> {
  // Loop: when one unit ends, another queued unit may open before this caller resumes.
  while (!mayRun(gate)) await gate.open!.ended;
}

export function createSqliteUnitOfWork(db: Db): UnitOfWork {
  const gate = gateOf(db);
  return {
    async withTransaction<T>(work: () => Promise<T>): Promise<T> {
      const current = gate.scope.getStore();
      if (current !== undefined && current === gate.open) return work();
      let end!: () => void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      const previous = gate.tail;
      gate.tail = previous.then(() => ended);
      await previous;
      await waitTurn(gate);
      const unit: OpenUnit = { ended, afterCommit: [] };
      gate.open = unit;
      let result: T;
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          result = await gate.scope.run(unit, work);
          db.exec('COMMIT');
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        gate.open = undefined;
        end();
      }
      for (const effect of unit.afterCommit) effect();
      return result;
    },
    afterCommit(effect) {
      const current = gate.scope.getStore();
      if (current !== undefined && current === gate.open) current.afterCommit.push(effect);
      else effect();
    },
  };
}

/** Methods must return promises; other members (an options record) pass through. */
type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => infer R ? (R extends Promise<unknown> ? T[K] : never) : T[K] };

/**
 * The store with every method made to wait while another caller's unit is open on `db`. Every method must be
 * async (the type says so): a synchronous one could not wait.
 */
export function gated<T extends AsyncMethods<T>>(db: Db, store: T): T {
  const gate = gateOf(db);
  const out = {} as Record<string, unknown>;
  for (const [name, member] of Object.entries(store as Record<string, unknown>)) {
    if (typeof member !== 'function') {
      out[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => Promise<unknown>;
    out[name] = (...args: unknown[]) =>
      mayRun(gate) ? method.apply(store, args) : waitTurn(gate).then(() => method.apply(store, args));
  }
  return out as T;
}
