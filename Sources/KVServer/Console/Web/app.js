// The console's entry point: configuration, login (when auth is on) and the hash router.
import { loadConfig, authEnabled, credentials, setCredentials, api } from "./api.js";
import { h, fill, errorBox } from "./ui.js";
import * as tables from "./tables.js";
import * as table from "./table.js";
import * as item from "./item.js";
import * as partiql from "./partiql.js";
import * as stream from "./stream.js";
import * as metrics from "./metrics.js";

const main = document.getElementById("main");
let cleanup = null;

// #/tables, #/create, #/table/NAME, #/item/NAME?key=..., #/partiql, #/streams, #/stream/NAME, #/metrics
const routes = [
  [/^#\/create$/, () => tables.renderCreate(main), "tables"],
  [/^#\/table\/([^/?]+)$/, (m) => table.render(main, decodeURIComponent(m[1])), "tables"],
  [/^#\/item\/([^/?]+)(?:\?(.*))?$/, (m) => item.render(main, decodeURIComponent(m[1]), new URLSearchParams(m[2] || "")), "tables"],
  [/^#\/partiql$/, () => partiql.render(main), "partiql"],
  [/^#\/streams$/, () => stream.renderList(main), "streams"],
  [/^#\/stream\/([^/?]+)$/, (m) => stream.render(main, decodeURIComponent(m[1])), "streams"],
  [/^#\/metrics$/, () => metrics.render(main), "metrics"],
  [/^.*$/, () => tables.render(main), "tables"],
];

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  if (authEnabled() && !credentials()) return renderLogin();
  const hash = location.hash || "#/tables";
  for (const [pattern, render, nav] of routes) {
    const match = pattern.exec(hash);
    if (!match) continue;
    for (const a of document.querySelectorAll("header nav a")) {
      a.classList.toggle("current", a.dataset.nav === nav);
      if (a.dataset.nav === nav) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    fill(main, h("p", { class: "muted" }, "Loading…"));
    try {
      cleanup = (await render(match)) || null;
    } catch (error) {
      console.warn(error);
      fill(main, errorBox(error));
    }
    return;
  }
}

function renderIdentity() {
  const slot = document.getElementById("identity");
  const creds = credentials();
  if (!authEnabled()) return fill(slot, "signature verification off");
  if (!creds) return fill(slot, "signed out");
  fill(
    slot,
    `signed in as ${creds.accessKeyId}`,
    h("button", { class: "secondary", id: "logout", onclick: () => (setCredentials(null), renderIdentity(), route()) }, "Log out")
  );
}

function renderLogin() {
  const id = h("input", { id: "login-key", autocomplete: "username", required: true, size: 24 });
  const secret = h("input", { id: "login-secret", type: "password", autocomplete: "current-password", required: true, size: 32 });
  const token = h("input", { id: "login-token", autocomplete: "off", size: 32 });
  const status = h("div");
  const form = h(
    "form",
    {
      id: "login-form",
      onsubmit: async (event) => {
        event.preventDefault();
        setCredentials({ accessKeyId: id.value.trim(), secretAccessKey: secret.value, sessionToken: token.value.trim() || undefined });
        try {
          // Any signed call proves the key; ListTables may be denied by policy while others are
          // allowed, so only a signature failure keeps the user on this form.
          await api("ListTables", { Limit: 1 });
        } catch (error) {
          if (["UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationToken", "IncompleteSignatureException"].includes(error.type)) {
            setCredentials(null);
            fill(status, errorBox(error));
            return;
          }
        }
        renderIdentity();
        route();
      },
    },
    h("h1", {}, "Log in"),
    h("p", { class: "muted" }, "This server verifies signatures. Requests are signed in this browser with your access key; the secret stays in this tab's session storage."),
    h("fieldset", {}, h("label", {}, "Access key ID", id), h("label", {}, "Secret access key", secret), h("label", {}, "Session token (optional)", token)),
    h("div", { class: "toolbar" }, h("button", { type: "submit", id: "login-submit" }, "Log in")),
    status
  );
  fill(main, form);
  id.focus();
}

// Keyboard: "/" focuses the first search/filter field, "g" then t/p/s/m goes to a page.
let pendingG = false;
document.addEventListener("keydown", (event) => {
  const t = event.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
  if (pendingG) {
    pendingG = false;
    const page = { t: "#/tables", p: "#/partiql", s: "#/streams", m: "#/metrics" }[event.key];
    if (page) location.hash = page;
    return;
  }
  if (event.key === "g") pendingG = true;
  if (event.key === "/") {
    const field = main.querySelector("input[type=search], textarea, input");
    if (field) event.preventDefault(), field.focus();
  }
});

window.addEventListener("hashchange", route);

(async () => {
  try {
    await loadConfig();
  } catch (error) {
    fill(main, errorBox(error));
    return;
  }
  renderIdentity();
  route();
})();
