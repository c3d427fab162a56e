// Items in two notations: DynamoDB JSON ({"n": {"N": "1.50"}}) and plain JSON, with kvctl's
// conventions (Sources/KVCtlCore/ItemJSON.swift): numbers are N with their text kept digit for
// digit, null is NULL, arrays are L, objects are M; sets and binary are one-member objects
// tagged $ss, $ns, $bs, $b. JavaScript numbers would round 12345678901234567890.123, so plain
// JSON is parsed and written here with number tokens kept as text.

/** A number token kept as its text. */
class NumberText {
  constructor(text) {
    this.text = text;
  }
}

/** Parses JSON, keeping numbers as NumberText. Throws SyntaxError with a position. */
export function parseExact(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out = {};
      ws();
      if (text[i] === "}") return i++, out;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Expected a string key");
        const key = string();
        ws();
        if (text[i] !== ":") fail("Expected ':'");
        i++;
        out[key] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return i++, out;
        else fail("Expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") return i++, out;
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return i++, out;
        else fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (number) return (i += number[0].length), new NumberText(number[0]);
    for (const [word, result] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) return (i += word.length), result;
    }
    fail("Unexpected character");
  };
  const string = () => {
    const match = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!match) fail("Bad string");
    i += match[0].length;
    return JSON.parse(match[0]);
  };
  const result = value();
  ws();
  if (i < text.length) fail("Unexpected text after the JSON value");
  return result;
}

const TAGS = new Set(["$ss", "$ns", "$bs", "$b"]);

/** A plain JSON value (from parseExact) to a DynamoDB AttributeValue. */
export function toAttribute(value, path = "item") {
  if (value === null) return { NULL: true };
  if (value === true || value === false) return { BOOL: value };
  if (typeof value === "string") return { S: value };
  if (value instanceof NumberText) return { N: value.text };
  if (typeof value === "number") return { N: String(value) };
  if (Array.isArray(value)) return { L: value.map((v, n) => toAttribute(v, `${path}[${n}]`)) };
  const keys = Object.keys(value);
  if (keys.length === 1 && TAGS.has(keys[0])) {
    const tag = keys[0];
    const inner = value[tag];
    if (tag === "$b") {
      if (typeof inner !== "string") throw new Error(`${path}: $b takes a base64 string`);
      return { B: inner };
    }
    if (!Array.isArray(inner) || inner.length === 0) throw new Error(`${path}: ${tag} takes a non-empty array`);
    if (tag === "$ns") return { NS: inner.map((v) => (v instanceof NumberText ? v.text : String(v))) };
    if (inner.some((v) => typeof v !== "string")) throw new Error(`${path}: ${tag} members must be strings`);
    return tag === "$ss" ? { SS: inner } : { BS: inner };
  }
  return { M: Object.fromEntries(keys.map((k) => [k, toAttribute(value[k], `${path}.${k}`)])) };
}

/** Plain JSON text of an item to a DynamoDB item. */
export function itemFromPlain(text) {
  const value = parseExact(text);
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof NumberText) {
    throw new Error("An item must be a JSON object");
  }
  return Object.fromEntries(Object.keys(value).map((k) => [k, toAttribute(value[k], k)]));
}

/** Plain JSON text of values, e.g. {":pk": "a", ":n": 5}, to DynamoDB AttributeValues. */
export const valuesFromPlain = itemFromPlain;

/** DynamoDB JSON text of an item, checked to be an object of AttributeValues. */
export function itemFromDynamo(text) {
  const value = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("An item must be a JSON object");
  return value;
}

/** The type letter(s) of an AttributeValue: S, N, B, BOOL, NULL, L, M, SS, NS, BS. */
export function typeOf(attribute) {
  return attribute ? Object.keys(attribute)[0] : "";
}

/** Plain JSON text of an AttributeValue, numbers written with their exact text. */
export function plainText(attribute, indent = "", step = "  ") {
  const nl = step ? "\n" : "";
  const next = indent + step;
  const sep = ": ";
  const joiner = step ? ",\n" : ", ";
  const type = typeOf(attribute);
  const v = attribute[type];
  switch (type) {
    case "S":
      return JSON.stringify(v);
    case "N":
      return v;
    case "BOOL":
      return v ? "true" : "false";
    case "NULL":
      return "null";
    case "B":
      return `{${nl}${next}"$b"${sep}${JSON.stringify(v)}${nl}${indent}}`;
    case "SS":
    case "BS":
      return `{"$${type.toLowerCase()}"${sep}[${v.map((s) => JSON.stringify(s)).join(", ")}]}`;
    case "NS":
      return `{"$ns"${sep}[${v.join(", ")}]}`;
    case "L":
      if (!v.length) return "[]";
      return `[${nl}${v.map((e) => next + plainText(e, next, step)).join(joiner)}${nl}${indent}]`;
    case "M":
      return objectText(v, indent, step);
    default:
      return JSON.stringify(attribute);
  }
}

function objectText(map, indent, step) {
  const keys = Object.keys(map);
  if (!keys.length) return "{}";
  const nl = step ? "\n" : "";
  const next = indent + step;
  return `{${nl}${keys.map((k) => `${next}${JSON.stringify(k)}: ${plainText(map[k], next, step)}`).join(step ? ",\n" : ", ")}${nl}${indent}}`;
}

/** Plain JSON text of a whole item, key attributes first. */
export function itemPlainText(item, keyNames = []) {
  return objectText(ordered(item, keyNames), "", "  ");
}

/** DynamoDB JSON text of a whole item, key attributes first. */
export function itemDynamoText(item, keyNames = []) {
  return JSON.stringify(ordered(item, keyNames), null, 2);
}

function ordered(item, keyNames) {
  const out = {};
  for (const k of keyNames) if (k in item) out[k] = item[k];
  for (const k of Object.keys(item)) if (!(k in out)) out[k] = item[k];
  return out;
}

/** A short one-line rendering of an attribute for a table cell. */
export function cellText(attribute) {
  const type = typeOf(attribute);
  if (type === "S") return attribute.S;
  return plainText(attribute, "", "");
}

/** Whether two AttributeValues are equal (sets compared as sets). */
export function sameAttribute(a, b) {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  if (ta === "SS" || ta === "NS" || ta === "BS") {
    const x = new Set(a[ta]);
    return x.size === new Set(b[ta]).size && b[ta].every((e) => x.has(e));
  }
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value;
}
