// AWS Signature Version 4 for the console's API requests, with WebCrypto (SubtleCrypto).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// SubtleCrypto needs a secure context: https, or http on a loopback address.

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

async function hmac(key, text) {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text)));
}

/** `20240101T120000Z` of a Date. */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Headers (`X-Amz-Date`, `Authorization`) signing a POST of `body` to `/` on `host`.
 * Signed: content-type, host, x-amz-date, x-amz-target (and x-amz-security-token if any).
 */
export async function signedHeaders({ accessKeyId, secretAccessKey, sessionToken }, region, host, headers, body, now = new Date()) {
  if (!crypto.subtle) throw new Error("Signing needs a secure context: open the console over https or on 127.0.0.1/localhost.");
  const stamp = amzDate(now);
  const day = stamp.slice(0, 8);
  const all = { ...headers, host, "x-amz-date": stamp };
  if (sessionToken) all["x-amz-security-token"] = sessionToken;
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join("");
  const signed = names.join(";");
  const canonicalRequest = ["POST", "/", "", canonicalHeaders, signed, await sha256Hex(body)].join("\n");
  const scope = `${day}/${region}/dynamodb/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, await sha256Hex(canonicalRequest)].join("\n");
  let key = await hmac("AWS4" + secretAccessKey, day);
  key = await hmac(key, region);
  key = await hmac(key, "dynamodb");
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, toSign));
  const out = {
    "X-Amz-Date": stamp,
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
  if (sessionToken) out["X-Amz-Security-Token"] = sessionToken;
  return out;
}
