// One item: view and edit in plain JSON (kvctl's conventions, exact numbers) or DynamoDB JSON;
// create, duplicate, edit and delete. An edit or delete is conditional on the version read:
// every attribute read must still hold the same value, so a concurrent change is not
// overwritten silently (DynamoDB answers ConditionalCheckFailedException instead).
import { api } from "./api.js";
import { h, fill, errorBox, select, confirmDialog } from "./ui.js";
import { itemFromPlain, itemFromDynamo, itemPlainText, itemDynamoText, sameAttribute } from "./items.js";
import { keyOf, itemLink } from "./table.js";

const DRAFT = "kvconsole.draft";
const FORMAT = "kvconsole.format";
// Shown by the next render (a save navigates to the saved item's page).
let notice = null;

/** A condition that `item` is stored exactly as read: each attribute equal, keys present. */
export function unchangedCondition(item) {
  const names = {};
  const values = {};
  const terms = Object.keys(item).map((attr, n) => {
    names[`#a${n}`] = attr;
    values[`:a${n}`] = item[attr];
    return `#a${n} = :a${n}`;
  });
  return { ConditionExpression: terms.join(" AND "), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function absentCondition(schema) {
  return { ConditionExpression: "attribute_not_exists(#k)", ExpressionAttributeNames: { "#k": schema[0].AttributeName } };
}

export async function render(main, name, params) {
  const { Table } = await api("DescribeTable", { TableName: name });
  const schema = Table.KeySchema;
  const keyNames = schema.map((k) => k.AttributeName);
  const isNew = params.has("new");
  let read = null; // the item as read, for the condition of an edit or delete
  if (!isNew) {
    const key = JSON.parse(params.get("key") || "{}");
    const { Item } = await api("GetItem", { TableName: name, Key: key, ConsistentRead: true });
    if (!Item) {
      fill(main, h("h1", {}, "Item not found"), h("p", {}, "No item with key ", h("code", {}, JSON.stringify(key)), ` in ${name}.`), h("a", { href: `#/table/${encodeURIComponent(name)}` }, "Back to the table"));
      return;
    }
    read = Item;
  }
  let format = sessionStorage.getItem(FORMAT) || "plain";
  const draft = isNew ? sessionStorage.getItem(DRAFT) : null;
  sessionStorage.removeItem(DRAFT);
  const template = Object.fromEntries(keyNames.map((k) => [k, { S: "" }]));
  let current = read || (draft ? JSON.parse(draft) : template);
  const editor = h("textarea", { id: "item-editor", spellcheck: "false", rows: 20, "aria-label": "Item" });
  const status = h("div", { id: "item-status" });
  const show = () => (editor.value = format === "plain" ? itemPlainText(current, keyNames) : itemDynamoText(current, keyNames));
  const parse = () => (format === "plain" ? itemFromPlain(editor.value) : itemFromDynamo(editor.value));
  const formatSelect = select(
    {
      id: "item-format",
      "aria-label": "Notation",
      onchange: () => {
        try {
          current = parse();
        } catch (error) {
          formatSelect.value = format;
          fill(status, errorBox(error));
          return;
        }
        format = formatSelect.value;
        sessionStorage.setItem(FORMAT, format);
        show();
      },
    },
    [["plain", "Plain JSON"], ["dynamodb", "DynamoDB JSON"]],
    format
  );

  const save = async () => {
    let item;
    try {
      item = parse();
    } catch (error) {
      fill(status, errorBox(error));
      return;
    }
    const input = { TableName: name, Item: item };
    const sameKey = read && keyNames.every((k) => sameAttribute(read[k], item[k]));
    Object.assign(input, sameKey ? unchangedCondition(read) : absentCondition(schema));
    try {
      await api("PutItem", input);
    } catch (error) {
      fill(status, errorBox(error), error.type === "ConditionalCheckFailedException" ? h("p", {}, sameKey ? "The item changed (or was deleted) since it was read: reload to see the current version." : "An item with this key exists already.") : null);
      return;
    }
    const link = itemLink(name, keyOf(item, schema));
    notice = "Saved.";
    if (location.hash === link) await render(main, name, params);
    else location.hash = link;
  };

  const remove = async () => {
    if (!(await confirmDialog(`Delete this item from ${name}?`))) return;
    try {
      await api("DeleteItem", { TableName: name, Key: keyOf(read, schema), ...unchangedCondition(read) });
    } catch (error) {
      fill(status, errorBox(error), error.type === "ConditionalCheckFailedException" ? h("p", {}, "The item changed since it was read: reload to see the current version.") : null);
      return;
    }
    location.hash = `#/table/${encodeURIComponent(name)}`;
  };

  const duplicate = () => {
    try {
      sessionStorage.setItem(DRAFT, JSON.stringify(parse()));
    } catch (error) {
      fill(status, errorBox(error));
      return;
    }
    location.hash = `#/item/${encodeURIComponent(name)}?new=1&n=${Date.now()}`;
  };

  fill(
    main,
    h("h1", {}, isNew ? `New item in ${name}` : `Item in ${name}`),
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "inline" }, "Notation", formatSelect),
      h("button", { id: "item-save", onclick: save }, isNew ? "Create" : "Save"),
      isNew ? null : h("button", { class: "secondary", id: "item-duplicate", onclick: duplicate }, "Duplicate"),
      isNew ? null : h("button", { class: "secondary", id: "item-reload", onclick: () => render(main, name, params) }, "Reload"),
      isNew ? null : h("button", { class: "danger", id: "item-delete", onclick: remove }, "Delete"),
      h("a", { class: "button secondary", href: `#/table/${encodeURIComponent(name)}` }, "Back")
    ),
    h("p", { class: "muted" }, "Plain JSON: numbers keep their digits; sets and binary as ", h("code", {}, '{"$ss": […]}'), ", ", h("code", {}, '{"$ns": […]}'), ", ", h("code", {}, '{"$bs": […]}'), ", ", h("code", {}, '{"$b": "base64"}'), ". Ctrl+Enter saves."),
    status,
    editor
  );
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.preventDefault(), save();
  });
  if (notice) fill(status, h("div", { class: "notice", role: "status" }, notice));
  notice = null;
  show();
  editor.focus();
}
