// Small DOM helpers shared by the pages: elements are built with h(), never from HTML strings,
// so item data is always text, never markup.

/** h("button", {onclick, class: "x"}, "text", child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = !!value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the contents of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A box showing an error as DynamoDB worded it. */
export function errorBox(error) {
  return h("div", { class: "error", role: "alert", "data-error-type": error.type || "" }, String(error));
}

/** Runs `action`, showing a failure in `target` (replacing its contents). */
export async function guarded(target, action) {
  try {
    return await action();
  } catch (error) {
    console.warn(error);
    fill(target, errorBox(error));
    return undefined;
  }
}

export function select(attrs, options, selected) {
  return h(
    "select",
    attrs,
    options.map((o) => {
      const [value, label] = Array.isArray(o) ? o : [o, o];
      return h("option", { value, selected: value === selected }, label);
    })
  );
}

export function formatBytes(n) {
  if (n === undefined) return "";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${v.toFixed(1)} ${units[u]}`;
}

export function ms(value) {
  return `${value.toFixed(1)} ms`;
}

/** Confirmation dialog; resolves true when confirmed. With `typed`, the user must type it. */
export function confirmDialog(message, { typed, action = "Delete" } = {}) {
  return new Promise((resolve) => {
    const input = typed ? h("input", { id: "confirm-input", "aria-label": `Type ${typed} to confirm`, autocomplete: "off" }) : null;
    const ok = h("button", { class: "danger", id: "confirm-ok", disabled: !!typed }, action);
    const cancel = h("button", { class: "secondary", id: "confirm-cancel" }, "Cancel");
    const dialog = h(
      "dialog",
      { id: "confirm-dialog" },
      h("p", {}, message),
      typed ? h("p", { class: "muted" }, "Type ", h("code", {}, typed), " to confirm:") : null,
      input,
      h("div", { class: "toolbar" }, ok, cancel)
    );
    if (input) input.addEventListener("input", () => (ok.disabled = input.value !== typed));
    const done = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    ok.addEventListener("click", () => done(true));
    cancel.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", () => done(false));
    document.body.append(dialog);
    dialog.showModal();
    (input || cancel).focus();
  });
}

/** A table of rows (arrays of cells); each cell a Node or text. */
export function grid(headers, rows, attrs = {}) {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "grid", ...attrs },
      h("thead", {}, h("tr", {}, headers.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)
    )
  );
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}
