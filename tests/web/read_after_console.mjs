// Drives complaints/web/console/api.js under node with a stubbed fetch: the console keeps the
// furthest `extensions.readAfter` it was given and sends it back as `Read-After`.
// Prints two JSON lines: the Read-After header of each request, in order; then the payload of
// the subscriptions' `connection_init`, which carries the token as `readAfter`.
const store = new Map();
const storage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
globalThis.localStorage = storage;
globalThis.sessionStorage = storage;
globalThis.document = { documentElement: {} };
Object.defineProperty(globalThis, "navigator", { value: { language: "en" }, configurable: true });
const answers = [
  { data: { x: 1 } },
  { data: { x: 2 }, extensions: { readAfter: "1/2000" } },
  { data: { x: 3 }, extensions: { readAfter: "0/FFFFFFFF" } }, // an older write's answer, late
  { data: { x: 4 }, extensions: { readAfter: "not an lsn" } },
  { data: { x: 5 } },
];
const sent = [];
globalThis.fetch = async (url, init) => {
  sent.push(init.headers["Read-After"] ?? null);
  const body = answers.shift();
  return { status: 200, json: async () => body };
};
Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true }); // full queries
const api = await import(process.argv[2]);
for (let i = 0; i < 5; i++) await api.gql("{ x }");
console.log(JSON.stringify(sent));

const inits = [];
globalThis.location = { protocol: "http:", host: "localhost" };
globalThis.WebSocket = class {
  static OPEN = 1;
  constructor() {
    this.readyState = 1;
    this.listeners = {};
  }
  addEventListener(type, listener) {
    this.listeners[type] = listener;
  }
  send(text) {
    const message = JSON.parse(text);
    if (message.type === "connection_init") inits.push(message.payload);
  }
  close() {}
};
const live = new api.Live();
live.subscribe("subscription { x }", () => ({}), () => {});
live.socket.listeners.open();
console.log(JSON.stringify(inits));
