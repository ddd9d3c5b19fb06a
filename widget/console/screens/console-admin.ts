// <console-admin>: admins manage agent accounts (create, disable, groups, capacity), groups with their business hours,
// visitor blocks (lift) and the audit log.
import { LitElement, css, html } from 'lit';
import type { AgentRole } from '../../../handoff/http/wire.ts';
import { ApiError, type AdminGroup, type AgentRecord, type ConsoleApi, type ProvinceOption } from '../console-api.ts';
import { formatDays, provinceLabel } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import './console-audit.ts';
import './console-blocks.ts';
import './console-visitors.ts';
import '../console-multi-select.ts';

/** A skill is a knowledge-base group key (the server's rule): typed ones are checked against it before saving. */
const SKILL = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** agent: chats; editor: content only (unanswered inbox, FAQ drafts); admin: everything. */
const ROLES: readonly AgentRole[] = ['agent', 'editor', 'admin'];
const roleOf = (value: FormDataEntryValue | null): AgentRole => ROLES.find((r) => r === value) ?? 'agent';

export class ConsoleAdmin extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    agents: { state: true },
    groups: { state: true },
    alwaysOpen: { state: true },
    provinces: { state: true },
    error: { state: true },
    info: { state: true },
    editing: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare agents: AgentRecord[];
  declare groups: AdminGroup[];
  declare alwaysOpen: boolean;
  /** The server's province list: the picker's choices and their names. */
  declare provinces: ProvinceOption[];
  declare error: string;
  declare info: string;
  /** The agent or group row being edited (`agent:<id>`, `group:<id>`). */
  declare editing: string;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.agents = [];
    this.groups = [];
    this.alwaysOpen = false;
    this.provinces = [];
    this.error = '';
    this.info = '';
    this.editing = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: flex; flex-direction: column; gap: 16px; padding: 16px; height: 100%; overflow: auto; }
      form.create { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; }
      label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
      input[type='number'] { width: 70px; }
      .days { display: flex; gap: 6px; flex-wrap: wrap; }
      .days label { flex-direction: row; align-items: center; gap: 2px; }
      tr.disabled td { color: var(--cs-muted); }
      /* A group's provinces and subjects are long lists: each picker takes a row of the form. */
      console-multi-select.wide { flex: 1 1 100%; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    try {
      const [agents, groups] = await Promise.all([this.api.agents(), this.api.adminGroups()]);
      this.agents = agents.agents;
      this.groups = groups.groups;
      this.alwaysOpen = groups.alwaysOpen;
      this.provinces = groups.provinces ?? [];
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown) {
    this.info = '';
    this.error = err instanceof ApiError ? err.message : String(err);
  }

  private async run(work: () => Promise<unknown>, form?: HTMLFormElement) {
    this.error = '';
    this.info = '';
    try {
      await work();
      form?.reset();
      this.editing = '';
      this.info = this.strings.saved;
      await this.load();
      // The change wrote an audit row: show it now, not at the screen's next opening.
      void this.renderRoot.querySelector('console-audit')?.load(false);
    } catch (err) {
      this.fail(err);
    }
  }

  private createAgent(e: SubmitEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const d = new FormData(form);
    void this.run(
      () =>
        this.api.createAgent({
          username: String(d.get('username') ?? '').trim(),
          displayName: String(d.get('displayName') ?? '').trim(),
          password: String(d.get('password') ?? ''),
          role: roleOf(d.get('role')),
          groups: d.getAll('groups').map(String),
          capacity: Number(d.get('capacity') ?? 3),
        }),
      form,
    );
  }

  /**
   * The agent's groups picked from the groups that exist (typed ids went wrong unseen); a group the agent holds
   * that no longer exists stays listed, ticked, so saving does not drop it silently.
   */
  private groupPicker(selected: readonly string[]) {
    return html`<console-multi-select name="groups" data-testid="agent-groups" .label=${this.strings.groupsHint} .strings=${this.strings.picker}
      .options=${this.groups.map((g) => ({ value: g.id, label: g.name }))} .initial=${selected}></console-multi-select>`;
  }

  /**
   * The subjects a group may serve: the skills some group serves already, and the groups' own ids (routing takes a
   * group whose id is the subject); a new one may be typed in (checked against the server's rule as it is typed).
   */
  private skillOptions() {
    const known = new Set([...this.groups.flatMap((g) => g.skills), ...this.groups.map((g) => g.id)].filter((k) => SKILL.test(k)));
    return [...known].sort().map((k) => ({ value: k, label: k }));
  }

  private saveAgent(e: SubmitEvent, agent: AgentRecord) {
    e.preventDefault();
    const d = new FormData(e.currentTarget as HTMLFormElement);
    const password = String(d.get('password') ?? '');
    void this.run(() =>
      this.api.updateAgent(agent.id, {
        displayName: String(d.get('displayName') ?? '').trim(),
        role: roleOf(d.get('role')),
        groups: d.getAll('groups').map(String),
        capacity: Number(d.get('capacity') ?? agent.capacity),
        ...(password ? { password } : {}),
      }),
    );
  }

  private saveGroup(e: SubmitEvent, id?: string) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const d = new FormData(form);
    const groupId = id ?? String(d.get('id') ?? '').trim().toLowerCase();
    const days = d.getAll('days').map(Number);
    void this.run(
      () =>
        this.api.putGroup(groupId, {
          name: String(d.get('name') ?? '').trim(),
          hours: {
            timeZone: String(d.get('timeZone') || 'Asia/Shanghai'),
            open: String(d.get('open') ?? ''),
            close: String(d.get('close') ?? ''),
            days,
          },
          provinces: d.getAll('provinces').map(String),
          skills: d.getAll('skills').map(String),
        }),
      id ? undefined : form,
    );
  }

  private groupFields(g?: AdminGroup) {
    const s = this.strings;
    const days = g?.hours.days ?? [1, 2, 3, 4, 5, 6, 7];
    return html`
      <label>${s.name}<input name="name" required maxlength="100" .value=${g?.name ?? ''} /></label>
      <label>${s.hours}<span class="row"><input name="open" type="time" required .value=${g?.hours.open ?? '08:30'} />–<input
        name="close" required pattern="([01][0-9]|2[0-3]):[0-5][0-9]|24:00" size="5" .value=${g?.hours.close ?? '21:30'} /></span></label>
      <label>Time zone<input name="timeZone" .value=${g?.hours.timeZone ?? 'Asia/Shanghai'} size="14" /></label>
      <fieldset class="days"><legend class="muted">${s.days}</legend>
        ${s.dayNames.map((n, i) => html`<label><input type="checkbox" name="days" value=${i + 1} .checked=${days.includes(i + 1)} />${n}</label>`)}
      </fieldset>
      <console-multi-select class="wide" name="provinces" data-testid="group-provinces" .label=${s.provinces} .strings=${s.picker}
        .options=${this.provinces.map((p) => ({ value: p.id, label: s.locale === 'zh' ? p.zh : `${p.en}` }))} .initial=${g?.provinces ?? []}></console-multi-select>
      <console-multi-select class="wide" name="skills" data-testid="group-skills" .label=${s.skills} .strings=${s.picker}
        .options=${this.skillOptions()} .initial=${g?.skills ?? []} .freeEntry=${SKILL}></console-multi-select>
    `;
  }

  override render() {
    const s = this.strings;
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.info ? html`<p class="ok" role="status">${this.info}</p>` : ''}
      <section class="card" aria-labelledby="agents-h">
        <h2 id="agents-h">${s.agents}</h2>
        <table>
          <thead><tr><th>${s.username}</th><th>${s.displayName}</th><th>${s.role}</th><th>${s.group}</th><th>${s.capacity}</th><th></th></tr></thead>
          <tbody>
            ${this.agents.map((a) =>
              this.editing === `agent:${a.id}`
                ? html`<tr><td colspan="6">
                    <form class="create" @submit=${(e: SubmitEvent) => this.saveAgent(e, a)}>
                      <strong>${a.username}</strong>
                      <label>${s.displayName}<input name="displayName" required .value=${a.displayName} /></label>
                      <label>${s.role}<select name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${a.role === r}>${r}</option>`)}</select></label>
                      ${this.groupPicker(a.groups)}
                      <label>${s.capacity}<input name="capacity" type="number" min="0" max="50" .value=${String(a.capacity)} /></label>
                      <label>${s.password}<input name="password" type="password" autocomplete="new-password" /></label>
                      <button class="primary" type="submit" data-testid="agent-save">${s.save}</button>
                      <button type="button" @click=${() => (this.editing = '')}>${s.cancel}</button>
                    </form></td></tr>`
                : html`<tr class=${a.disabled ? 'disabled' : ''} data-testid="admin-agent">
                    <td>${a.username}</td><td>${a.displayName}</td><td>${a.role}</td><td>${a.groups.map((id) => this.groups.find((g) => g.id === id)?.name ?? id).join('、')}</td><td>${a.capacity}</td>
                    <td class="row">
                      <button @click=${() => (this.editing = `agent:${a.id}`)}>${s.edit}</button>
                      <button data-testid="agent-disable" @click=${() => void this.run(() => this.api.updateAgent(a.id, { disabled: !a.disabled }))}>${a.disabled ? s.enable : s.disable}</button>
                      ${a.disabled ? html`<span class="tag">${s.disabled}</span>` : ''}
                    </td></tr>`,
            )}
          </tbody>
        </table>
        <h3>${s.create}</h3>
        <form class="create" @submit=${this.createAgent} data-testid="agent-create">
          <label>${s.username}<input name="username" required maxlength="64" autocomplete="off" /></label>
          <label>${s.displayName}<input name="displayName" required maxlength="64" /></label>
          <label>${s.password}<input name="password" type="password" required autocomplete="new-password" /></label>
          <label>${s.role}<select name="role" data-testid="new-agent-role">${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select></label>
          ${this.groupPicker([])}
          <label>${s.capacity}<input name="capacity" type="number" min="0" max="50" value="3" /></label>
          <button class="primary" type="submit">${s.create}</button>
        </form>
      </section>
      <section class="card" aria-labelledby="groups-h">
        <h2 id="groups-h">${s.groups}</h2>
        ${this.alwaysOpen ? html`<p class="muted">${s.alwaysOpen}</p>` : ''}
        <table>
          <thead><tr><th>ID</th><th>${s.name}</th><th>${s.hours}</th><th>${s.coverage}</th><th></th><th></th></tr></thead>
          <tbody>
            ${this.groups.map((g) =>
              this.editing === `group:${g.id}`
                ? html`<tr><td colspan="6"><form class="create" @submit=${(e: SubmitEvent) => this.saveGroup(e, g.id)}>
                    <strong>${g.id}</strong>${this.groupFields(g)}
                    <button class="primary" type="submit" data-testid="group-save">${s.save}</button>
                    <button type="button" @click=${() => (this.editing = '')}>${s.cancel}</button>
                  </form></td></tr>`
                : html`<tr data-testid="admin-group">
                    <td>${g.id}</td><td>${g.name}</td>
                    <td>${g.hours.open}–${g.hours.close} · ${formatDays(g.hours.days, s.dayNames)} <span class="muted">${g.hours.timeZone}</span></td>
                    <td data-testid="group-coverage">${g.provinces.length ? g.provinces.map((p) => provinceLabel(this.provinces, p, s.locale)).join('、') : s.nationwide}
                      · <span class="muted">${g.skills.length ? g.skills.join(', ') : s.allSubjects}</span></td>
                    <td><span class="tag">${g.open ? s.isOpen : s.isClosed}</span></td>
                    <td><button @click=${() => (this.editing = `group:${g.id}`)}>${s.edit}</button></td>
                  </tr>`,
            )}
          </tbody>
        </table>
        <h3>${s.create}</h3>
        <form class="create" @submit=${(e: SubmitEvent) => this.saveGroup(e)}>
          <label>${s.groupId}<input name="id" required pattern="[a-z0-9][a-z0-9_\\-]{0,31}" /></label>
          ${this.groupFields()}
          <button class="primary" type="submit">${s.create}</button>
        </form>
      </section>
      <console-blocks .api=${this.api} .strings=${s}></console-blocks>
      <console-invitation-rules .api=${this.api} .strings=${s}></console-invitation-rules>
      <console-audit .api=${this.api} .strings=${s}
        .names=${{ agents: new Map(this.agents.map((a) => [a.id, a.displayName])), groups: new Map(this.groups.map((g) => [g.id, g.name])) }}></console-audit>
    `;
  }
}

customElements.define('console-admin', ConsoleAdmin);

declare global {
  interface HTMLElementTagNameMap {
    'console-admin': ConsoleAdmin;
  }
}
