// The DynamoDB JSON protocol as any SDK speaks it: POST / with X-Amz-Target, signed with
// SigV4 when the server verifies signatures (credentials live in sessionStorage only).
import { signedHeaders } from "./sigv4.js";

const CREDENTIALS = "kvconsole.credentials";
let config = { auth: false, region: "us-east-1" };

export async function loadConfig() {
  const response = await fetch("/console/config.json", { cache: "no-store" });
  config = await response.json();
  return config;
}

export function authEnabled() {
  return !!config.auth;
}

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(CREDENTIALS) || "null");
  } catch {
    return null;
  }
}

export function setCredentials(value) {
  if (value) sessionStorage.setItem(CREDENTIALS, JSON.stringify(value));
  else sessionStorage.removeItem(CREDENTIALS);
}

/** A DynamoDB error: `type` is the short name of `__type`, `message` DynamoDB's text as is. */
export class ApiError extends Error {
  constructor(type, message, status) {
    super(message || type);
    this.type = type;
    this.status = status;
  }
  toString() {
    return this.message && this.message !== this.type ? `${this.type}: ${this.message}` : this.type;
  }
}

/** Calls `operation` (e.g. "Scan", or "DynamoDBStreams_20120810.GetRecords"); returns {output, ms}. */
export async function call(operation, input = {}) {
  const target = operation.includes(".") ? operation : `DynamoDB_20120810.${operation}`;
  const body = JSON.stringify(input);
  const headers = { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target };
  if (config.auth) {
    const creds = credentials();
    if (!creds) throw new ApiError("MissingAuthenticationToken", "Log in with an access key to use the console.", 400);
    Object.assign(headers, await signedHeaders(creds, config.region, location.host, headers, body));
  } else {
    // Without verification the server accepts any credentials, but like DynamoDB it still wants
    // a request that carries some (MissingAuthenticationToken otherwise).
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    headers.Authorization = `AWS4-HMAC-SHA256 Credential=console/${day}/${config.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;
  }
  const started = performance.now();
  const response = await fetch("/", { method: "POST", headers, body, cache: "no-store" });
  const text = await response.text();
  const ms = performance.now() - started;
  let output = {};
  try {
    output = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(`HTTP ${response.status}`, text, response.status);
  }
  if (!response.ok) {
    const type = String(output.__type || `HTTP ${response.status}`).split("#").pop();
    throw new ApiError(type, output.message ?? output.Message ?? "", response.status);
  }
  return { output, ms };
}

/** `call` returning only the output. */
export async function api(operation, input) {
  return (await call(operation, input)).output;
}

export const streams = (operation, input) => api(`DynamoDBStreams_20120810.${operation}`, input);
