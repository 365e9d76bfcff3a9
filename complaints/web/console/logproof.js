// Checking the transparency log in the browser, with Web Crypto alone: a leaf's inclusion in a
// checkpoint's tree (RFC 9162 section 2.1.3.2) and the checkpoint's C2SP signed-note signature
// (Ed25519, where the browser has it). Nothing here trusts the server's own word: the leaf is
// rebuilt from the case's event hash, the root read from the signed note.

const encoder = new TextEncoder();

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(parts)));
}

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => Uint8Array.from(text.match(/../g) || [], (b) => parseInt(b, 16));
const unbase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The leaf of an event, as the contract defines it: "<aggregate id>:<version>:<event hash>". */
export async function leafHash(aggregateId, version, eventHash) {
  return sha256(Uint8Array.of(0), encoder.encode(`${aggregateId}:${version}:${eventHash}`));
}

/** RFC 9162 2.1.3.2: whether the audit path proves the leaf hash at index in the tree root. */
export async function verifyInclusion(index, size, leaf, path, root) {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path.map(unhex)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      while (fn !== 0 && fn % 2 === 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

/** RFC 9162 2.1.4.2: whether the path proves that the tree of `second` leaves with root
 * `secondRoot` extends the tree of `first` leaves with root `firstRoot` (both as bytes). */
export async function verifyConsistency(first, second, path, firstRoot, secondRoot) {
  if (first < 1 || first > second) return false;
  if (first === second) return path.length === 0 && same(firstRoot, secondRoot);
  const nodes = path.map(unhex);
  if (!nodes.length) return false;
  // A first tree that is complete is a node of the second: the proof leaves it out.
  if ((first & (first - 1)) === 0) nodes.unshift(firstRoot);
  const half = (x) => Math.floor(x / 2);
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await sha256(Uint8Array.of(1), c, fr);
      sr = await sha256(Uint8Array.of(1), c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await sha256(Uint8Array.of(1), sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot);
}

/** A checkpoint note's text and body: origin, tree size, root hash. */
export function readCheckpoint(note) {
  const cut = note.lastIndexOf("\n\n");
  const text = note.slice(0, cut + 1);
  const [origin, size, root] = text.split("\n");
  return { text, origin, size: Number(size), root: unbase64(root), signatures: note.slice(cut + 2) };
}

/** Whether the verifier key signed the note: true, false, or null when this browser has no
 * Ed25519 in Web Crypto. */
export async function verifyNote(note, verifierKey) {
  const [name, keyHash, ...rest] = verifierKey.split("+");
  const raw = unbase64(rest.join("+"));
  const expected = (await sha256(encoder.encode(`${name}\n`), raw)).slice(0, 4);
  if (raw[0] !== 1 || hex(expected) !== keyHash) return false;
  const { text, signatures } = readCheckpoint(note);
  const line = signatures.split("\n").find((l) => l.startsWith(`\u2014 ${name} `));
  if (!line) return false;
  const blob = unbase64(line.slice(`\u2014 ${name} `.length));
  if (hex(blob.slice(0, 4)) !== keyHash) return false;
  let key;
  try {
    key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  } catch {
    return null;
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), encoder.encode(text));
}

/** The aggregate's UUID from its Relay id (base64 of "Complaint:<uuid>"). */
export function uuidOf(globalId) {
  return atob(globalId).split(":").slice(1).join(":");
}

export { unhex };
