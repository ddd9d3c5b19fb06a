// Read receipts: how far each side of a conversation has read (the id of the last message it read), moved only
// forward and only to a message of that conversation. SQLite and PostgreSQL adapters beside it.

/** `visitor`: what the visitor's widget has shown; `agent`: what an agent holding the chat has had open. */
export type Reader = 'visitor' | 'agent';

export const READERS: readonly Reader[] = ['visitor', 'agent'];

/** One side's marker: every message of the conversation up to and including `upTo` is read (`at`: when it moved). */
export interface ReadMarker {
  upTo: number;
  at: string;
}

/** Both sides' markers of a conversation; a side that has read nothing yet is absent. */
export interface ReadState {
  visitor?: ReadMarker;
  agent?: ReadMarker;
}

/**
 * What a mark did: `moved` (the marker is now `upTo`), `kept` (it was already there or past it: markers never move
 * back), or `not_a_message` (`upTo` is no message of the conversation; nothing changed).
 */
export type MarkOutcome =
  | { kind: 'moved'; state: ReadState }
  | { kind: 'kept'; state: ReadState }
  | { kind: 'not_a_message' };

export interface ReadMarkerStore {
  /** Moves `reader`'s marker of the conversation forward to message `upTo` (at `at`), atomically against other nodes. */
  mark(conversationId: string, reader: Reader, upTo: number, at: Date): Promise<MarkOutcome>;
  /** Both markers of the conversation (empty for one nobody has read, or that does not exist). */
  get(conversationId: string): Promise<ReadState>;
}

/** The rows of one conversation as its ReadState. */
export function toReadState(rows: ReadonlyArray<{ reader: string; up_to: number | string; read_at: string }>): ReadState {
  const state: ReadState = {};
  for (const row of rows) {
    if (row.reader === 'visitor' || row.reader === 'agent') state[row.reader] = { upTo: Number(row.up_to), at: row.read_at };
  }
  return state;
}
