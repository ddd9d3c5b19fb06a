// Groups of agents (mobile, broadband, billing, a province's team ...): who takes which chats, and when
// people are there. A chat goes to the most specific group serving its province and subject.
import { z } from 'zod';
import { businessHoursSchema, isOpenAt, nextOpening, type BusinessHours } from './business-hours.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import { isProvinceId, PROVINCE_IDS } from './provinces.ts';

export interface Group {
  /** Lower-case slug (`mobile`); knowledge topics name it in their `group`. */
  id: string;
  /** Shown to agents and admins. */
  name: string;
  hours: BusinessHours;
  /** Province ids (handoff/routing/provinces.ts) whose visitors it serves; empty: every province. */
  provinces: string[];
  /** Subjects it serves: the knowledge base's group keys (mobile, billing ...); empty: every subject. */
  skills: string[];
}

/** A group as saved: provinces and skills absent mean every province / every subject. */
export type GroupInput = Omit<Group, 'provinces' | 'skills'> & Partial<Pick<Group, 'provinces' | 'skills'>>;

/** What a chat needing a person is: the subject (a knowledge group key) and the visitor's province, either unknown. */
export interface RouteTarget {
  skill?: string | undefined;
  province?: string | undefined;
}

/** Persistence of groups; SQLite today (seeded with mobile, broadband, billing by migration 003). */
export interface GroupStore {
  list(): Promise<Group[]>;
  get(id: string): Promise<Group | undefined>;
  /** Creates the group or replaces its name, hours, provinces and skills; `created` tells which. */
  put(group: GroupInput): Promise<{ group: Group; created: boolean }>;
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
  put(group: GroupInput): Promise<{ group: Group; created: boolean }>;
  /** The group itself when it exists, else the default group. */
  resolve(id: string | undefined): Promise<Group>;
  /**
   * The most specific group serving the target: a province group before a national one, then a group
   * of the subject before a general one; among equals the one whose id is the subject, then by id. The
   * default group when none serves it.
   */
  pick(target: RouteTarget): Promise<Group>;
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
  provinces: z
    .array(z.string().refine(isProvinceId, { error: 'provinces must be province ids (guangdong, sichuan ...)' }), { error: 'provinces must be a list of province ids' })
    .max(PROVINCE_IDS.length)
    .transform((ids) => [...new Set(ids)])
    .optional(),
  skills: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'skills must be group keys of the knowledge base (mobile, billing ...)' }), { error: 'skills must be a list of group keys' })
    .max(64)
    .transform((ids) => [...new Set(ids)])
    .optional(),
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
    async pick({ skill, province }) {
      const all = await store.list();
      const serves = (g: Group) =>
        (g.provinces.length === 0 || (province !== undefined && g.provinces.includes(province))) &&
        (g.skills.length === 0 || (skill !== undefined && g.skills.includes(skill)));
      const rank = (g: Group) => (g.provinces.length > 0 ? 4 : 0) + (g.skills.length > 0 ? 2 : 0) + (g.id === skill ? 1 : 0);
      const best = all.filter(serves).sort((a, b) => rank(b) - rank(a) || a.id.localeCompare(b.id))[0];
      return best ?? this.resolve(skill);
    },
    hoursStatus(group, at = clock()) {
      if (opts.alwaysOpen || isOpenAt(group.hours, at)) return { open: true };
      return { open: false, opensAt: nextOpening(group.hours, at), timeZone: group.hours.timeZone };
    },
  };
}
