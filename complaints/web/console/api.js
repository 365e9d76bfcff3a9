// The public API, and nothing else: GraphQL over HTTP (automatic persisted queries where the
// server takes them), graphql-transport-ws subscriptions, POST /uploads and GET /uploads/{sha256}.

import { serverLanguage } from "./i18n.js";

const TOKEN_KEY = "complaints.token";

/** A refusal from the API: its code, its message, and the fields it names (if any). */
export class ApiError extends Error {
  constructor(code, message, fields = []) {
    super(message);
    this.code = code;
    this.fields = fields;
  }
}

/** The bearer token lives in sessionStorage (one tab, gone when it closes), never in a URL. */
export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The token's claims (for display and navigation; the server checks every request). */
  get claims() {
    const token = this.token;
    if (!token) return null;
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
      if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
      return claims;
    } catch {
      return null;
    }
  },
};

/** Where the log stood after this page's latest write, as the server said (`readAfter`): sent
 * back so that a read replica answers only once it holds that write (docs/scale.md). */
let readAfter = null;

function lsn(text) {
  const [high, low] = text.split("/");
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** Keep the furthest token seen (answers to concurrent writes may arrive out of order). */
export function noteReadAfter(token) {
  if (typeof token !== "string" || !/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(token)) return;
  if (readAfter === null || lsn(token) > lsn(readAfter)) readAfter = token;
}

function headers(extra = {}) {
  const result = { ...extra, "Accept-Language": serverLanguage() };
  if (session.token) result.Authorization = `Bearer ${session.token}`;
  if (readAfter) result["Read-After"] = readAfter;
  return result;
}

async function sha256Hex(text) {
  if (!globalThis.crypto?.subtle) return null; // not a secure context: send full queries
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

let persistedQueries = true;
const listeners = { unauthenticated: [] };

/** Called when the server refuses the token (expired, or signed with another key). */
export function onUnauthenticated(listener) {
  listeners.unauthenticated.push(listener);
}

async function post(body) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", Accept: "application/json" }),
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
  let result;
  try {
    result = await response.json();
  } catch {
    throw new ApiError(`HTTP_${response.status}`, response.statusText || "Unexpected answer");
  }
  noteReadAfter(result?.extensions?.readAfter);
  return result;
}

/** The document's operation name (`Console_Xxx`), sent beside it: the server's access log and
 * the browser tests tell requests apart by it, also those that send only a hash. */
function operationOf(query) {
  return /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1]; // none: not sent
}

/** Run a query or mutation; resolves to `data`, or throws the first error as an ApiError. */
export async function gql(query, variables = {}) {
  const hash = persistedQueries ? await sha256Hex(query) : null;
  const operationName = operationOf(query);
  let result;
  if (hash) {
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    result = await post({ operationName, variables, extensions });
    const code = result.errors?.[0]?.extensions?.code;
    if (code === "PERSISTED_QUERY_NOT_FOUND") {
      result = await post({ query, operationName, variables, extensions });
    } else if (code === "PERSISTED_QUERY_NOT_SUPPORTED") {
      persistedQueries = false;
      result = await post({ query, operationName, variables });
    }
  } else {
    result = await post({ query, operationName, variables });
  }
  if (result.errors?.length) {
    const error = result.errors[0];
    const code = error.extensions?.code || "ERROR";
    if (code === "UNAUTHENTICATED") listeners.unauthenticated.forEach((l) => l());
    throw new ApiError(code, error.message, error.extensions?.fields || []);
  }
  return result.data;
}

const RESULT = `__typename
  ... on Error { code message }
  ... on ValidationFailed { fields { field message } }`;

/** A mutation whose answer is a union of its object and the typed errors. */
export async function mutate(name, inputType, input, selection = "") {
  const document = `mutation Console_${name}($input: ${inputType}!) {
  result: ${name}(input: $input) { ${RESULT} ${selection} }
}`;
  const { result } = await gql(document, { input });
  if (result && typeof result.code === "string" && typeof result.message === "string") {
    throw new ApiError(result.code, result.message, result.fields || []);
  }
  return result;
}

/** POST /uploads: the file's sha256, size and media type. */
export async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  let response;
  try {
    response = await fetch("/uploads", { method: "POST", headers: headers(), body: form });
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error || {};
    throw new ApiError(error.code || `HTTP_${response.status}`, error.message || "Upload failed");
  }
  return body;
}

const fileUrls = new Map();

/** GET /uploads/{sha256} with the bearer token, as a blob: URL a thumbnail or a link can use. */
export async function fileUrl(url) {
  if (fileUrls.has(url)) return fileUrls.get(url);
  const response = await fetch(url, { headers: headers() });
  if (!response.ok) throw new ApiError(`HTTP_${response.status}`, "The file cannot be read.");
  const objectUrl = URL.createObjectURL(await response.blob());
  fileUrls.set(url, objectUrl);
  return objectUrl;
}

/**
 * One WebSocket for every subscription of the page (graphql-transport-ws). A dropped connection
 * is opened again with a growing pause, and each subscription resumes from the variables its
 * owner gives at that moment (the last position received, as `after`).
 */
export class Live {
  constructor(onState = () => {}) {
    this.subscriptions = new Map();
    this.socket = null;
    this.acknowledged = false;
    this.attempts = 0;
    this.next = 1;
    this.onState = onState;
    this.closed = false;
  }

  /** `onError(error, frame)`: `frame` is the refused frame's payload, none when the subscription
   * itself was refused or ended. */
  subscribe(query, variables, onData, onError = () => {}) {
    const id = String(this.next++);
    this.subscriptions.set(id, { query, variables, onData, onError });
    this.open();
    if (this.acknowledged) this.start(id);
    return () => {
      this.subscriptions.delete(id);
      if (this.acknowledged) this.send({ id, type: "complete" });
    };
  }

  close() {
    this.closed = true;
    this.subscriptions.clear();
    if (this.socket) this.socket.close(1000);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  start(id) {
    const subscription = this.subscriptions.get(id);
    const payload = { query: subscription.query, variables: subscription.variables() };
    this.send({ id, type: "subscribe", payload });
  }

  open() {
    if (this.socket || this.closed) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    this.socket = socket;
    this.onState("connecting");
    socket.addEventListener("open", () => {
      const payload = { locale: serverLanguage() };
      if (session.token) payload.Authorization = `Bearer ${session.token}`;
      // A resumed subscription reads what it missed from a replica only once that replica
      // has replayed this page's latest write (else from the primary).
      if (readAfter) payload.readAfter = readAfter;
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      const subscription = this.subscriptions.get(message.id);
      if (message.type === "connection_ack") {
        this.acknowledged = true;
        this.attempts = 0;
        this.onState("live");
        for (const id of this.subscriptions.keys()) this.start(id);
      } else if (message.type === "ping") {
        this.send({ type: "pong" });
      } else if (message.type === "next" && subscription) {
        if (message.payload.errors?.length) {
          // A frame refused: the subscription goes on (its owner is told which frame).
          const error = message.payload.errors[0];
          subscription.onError(new ApiError(error.extensions?.code || "ERROR", error.message), message.payload);
        } else {
          subscription.onData(message.payload.data);
        }
      } else if (message.type === "error" && subscription) {
        const error = message.payload?.[0] || {};
        subscription.onError(new ApiError(error.extensions?.code || "ERROR", error.message));
      }
    });
    socket.addEventListener("close", () => {
      this.socket = null;
      this.acknowledged = false;
      if (this.closed || this.subscriptions.size === 0) return;
      this.onState("reconnecting");
      const pause = Math.min(500 * 2 ** this.attempts, 10_000);
      this.attempts += 1;
      setTimeout(() => this.open(), pause);
    });
  }
}
