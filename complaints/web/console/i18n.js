// Every string the console shows comes from a catalogue: en.json, zh-CN.json and zh-TW.json.

export const LANGUAGES = { en: "English", "zh-CN": "简体中文", "zh-TW": "繁體中文" };
const PREFERENCE = "complaints.language";
let messages = {};
let english = {};
let current = "en";

async function load(code) {
  const response = await fetch(`/console/${code}.json`);
  return response.json();
}

export async function setLanguage(code) {
  if (!(code in LANGUAGES)) code = "en";
  english = Object.keys(english).length ? english : await load("en");
  messages = code === "en" ? english : await load(code);
  current = code;
  localStorage.setItem(PREFERENCE, code);
  document.documentElement.lang = code;
}

export function preferredLanguage() {
  const saved = localStorage.getItem(PREFERENCE);
  if (saved && saved in LANGUAGES) return saved;
  const browser = navigator.language?.toLowerCase() ?? "";
  if (/^zh-(tw|hk|mo|hant)/.test(browser)) return "zh-TW";
  return browser.startsWith("zh") ? "zh-CN" : "en";
}

export function language() {
  return current;
}

/** The console's languages as the server names them (BCP 47): what it asks the API to speak,
 * so that the server's sentences (summaries, refusals, rules) match the page's labels. */
export const SERVER_LANGUAGES = { en: "en", "zh-CN": "zh-Hans", "zh-TW": "zh-Hant" };

export function serverLanguage() {
  return SERVER_LANGUAGES[current] ?? "en";
}

/** The message for `key`, with {name} placeholders filled; English if the language lacks it. */
export function t(key, params = {}) {
  const template = messages[key] ?? english[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** A label for an API value (an enum, an action, an entry type), or the value itself. */
export function label(group, value) {
  if (value === null || value === undefined) return "";
  const key = `${group}.${value}`;
  return key in messages || key in english ? t(key) : String(value).replace(/_/g, " ").toLowerCase();
}

export function formatTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function formatMoney(money) {
  if (!money) return "";
  try {
    return new Intl.NumberFormat(current, { style: "currency", currency: money.currency }).format(
      Number(money.amount),
    );
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

/** "2 d 4 h" / "3 h 12 min" / "overdue by …", counting down to `iso`. */
export function countdown(iso, now = Date.now()) {
  let seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const overdue = seconds < 0;
  seconds = Math.abs(seconds);
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const span = d > 0 ? t("time.dh", { d, h }) : h > 0 ? t("time.hm", { h, m }) : t("time.ms", { m, s });
  return overdue ? t("time.overdue", { span }) : t("time.left", { span });
}
