// Skill groups (mobile, broadband, billing ...): who takes a topic's chats, and when people are there.
import { z } from 'zod';
import { businessHoursSchema, isOpenAt, nextOpening, type BusinessHours } from './business-hours.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

export interface Group {
  /** Lower-case slug (`mobile`); knowledge topics name it in their `group`. */
  id: string;
  /** Shown to agents and admins. */
  name: string;
  hours: BusinessHours;
}

/** Persistence of groups; SQLite today (seeded with mobile, broadband, billing by migration 003). */
export interface GroupStore {
  list(): Promise<Group[]>;
  get(id: string): Promise<Group | undefined>;
  /** Creates the group or replaces its name and hours; `created` tells which. */
  put(group: Group): Promise<{ group: Group; created: boolean }>;
}

/** Whether people work in a group right now, by its hours alone (who is online is routing's business). */
export type HoursStatus = { open: true } | { open: false; opensAt: Date; timeZone: string };

export interface GroupsOptions {
  /** BUSINESS_HOURS=always: every group is open round the clock (24 h operation, tests). Default false. */
  alwaysOpen: boolean;
  /** Where a chat goes when its topic names no group, or a group that does not exist. Default `mobile`. */
  defaultGroup: string;
}

export const defaultGroupsOptions: GroupsOptions = {
  alwaysOpen: false,
  defaultGroup: 'mobile',
};

export interface Groups {
  list(): Promise<Group[]>;
  get(id: string): Promise<Group | undefined>;
  put(group: Group): Promise<{ group: Group; created: boolean }>;
  /** The group itself when it exists, else the default group. */
  resolve(id: string | undefined): Promise<Group>;
  hoursStatus(group: Group, at?: Date): HoursStatus;
  readonly options: GroupsOptions;
}

export const GROUP_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Body of PUT /api/admin/groups/:id. */
export const groupBodySchema = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(100, { error: 'name must be at most 100 characters' }),
  hours: businessHoursSchema,
});

export function createGroups(store: GroupStore, clock: Clock = systemClock, options: Partial<GroupsOptions> = {}): Groups {
  const opts: GroupsOptions = { ...defaultGroupsOptions, ...options };
  return {
    options: opts,
    list: () => store.list(),
    get: (id) => store.get(id),
    put: (group) => store.put(group),
    async resolve(id) {
      const group = (id ? await store.get(id) : undefined) ?? (await store.get(opts.defaultGroup));
      if (!group) throw new Error(`handoff/groups: the default group ${JSON.stringify(opts.defaultGroup)} does not exist`);
      return group;
    },
    hoursStatus(group, at = clock()) {
      if (opts.alwaysOpen || isOpenAt(group.hours, at)) return { open: true };
      return { open: false, opensAt: nextOpening(group.hours, at), timeZone: group.hours.timeZone };
    },
  };
}
