// The agent's console preferences kept in this browser (language, sound, notifications), read and written where storage may be off.
// Apart from the element so its constructor and switches do not carry the storage fallbacks.
import type { ConsoleLang } from './console-strings.ts';

const LANG_KEY = 'agent-console.lang';
const SOUND_KEY = 'agent-console.sound';

export function storedLang(): ConsoleLang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'zh' || v === 'en') return v;
  } catch {
    // Storage may be off (privacy mode): fall through.
  }
  return navigator.language?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export function storedSound(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true; // default on
  }
}

export function keepLang(lang: ConsoleLang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // not kept
  }
}

export function keepSound(on: boolean): void {
  try {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
  } catch {
    // not kept
  }
}

/** Another console setting kept in this browser (desktop notifications, ...); undefined when unset or storage is off. */
export function readPref(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

export function writePref(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not kept
  }
}
