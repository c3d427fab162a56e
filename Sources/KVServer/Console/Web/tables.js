// Tables: the list (one page of ListTables at a time, each described) and the create form.
import { api } from "./api.js";
import { h, fill, errorBox, guarded, grid, formatBytes, select, confirmDialog } from "./ui.js";

const PAGE = 50;

function keySchemaText(schema = [], definitions = []) {
  const types = Object.fromEntries(definitions.map((d) => [d.AttributeName, d.AttributeType]));
  return schema.map((k) => `${k.AttributeName} (${types[k.AttributeName] || "?"}, ${k.KeyType === "HASH" ? "partition" : "sort"})`).join(", ");
}

function indexText(description) {
  const gsis = (description.GlobalSecondaryIndexes || []).map((i) => `GSI ${i.IndexName}: ${i.KeySchema.map((k) => k.AttributeName).join("+")}`);
  const lsis = (description.LocalSecondaryIndexes || []).map((i) => `LSI ${i.IndexName}: ${i.KeySchema.map((k) => k.AttributeName).join("+")}`);
  return [...gsis, ...lsis];
}

async function describe(name) {
  const { Table } = await api("DescribeTable", { TableName: name });
  const [ttl, tags] = await Promise.all([
    api("DescribeTimeToLive", { TableName: name }).catch(() => null),
    api("ListTagsOfResource", { ResourceArn: Table.TableArn }).catch(() => null),
  ]);
  return { table: Table, ttl: ttl && ttl.TimeToLiveDescription, tags: tags && tags.Tags };
}

export async function render(main, start) {
  const list = h("div", {}, h("p", { class: "muted" }, "Loading tables…"));
  const history = [];
  fill(
    main,
    h("h1", {}, "Tables"),
    h("div", { class: "toolbar" }, h("a", { class: "button", href: "#/create", id: "create-table" }, "Create table"), h("button", { class: "secondary", onclick: () => load(start) }, "Refresh")),
    list
  );
  const load = (from) =>
    guarded(list, async () => {
      const input = { Limit: PAGE };
      if (from) input.ExclusiveStartTableName = from;
      const { TableNames = [], LastEvaluatedTableName } = await api("ListTables", input);
      const described = await Promise.all(TableNames.map((n) => describe(n).catch((error) => ({ name: n, error }))));
      const rows = described.map((d) => tableRow(d, () => load(from)));
      const nav = h(
        "div",
        { class: "toolbar" },
        h("button", { class: "secondary", disabled: !history.length, onclick: () => load(history.pop()) }, "Previous"),
        h("button", { class: "secondary", id: "tables-next", disabled: !LastEvaluatedTableName, onclick: () => (history.push(from), load(LastEvaluatedTableName)) }, "Next")
      );
      fill(
        list,
        TableNames.length
          ? grid(["Name", "Status", "Items", "Size", "Keys", "Indexes", "Stream", "TTL", "Billing", "Tags", ""], rows, { id: "tables" })
          : h("p", { class: "muted" }, "No tables yet."),
        nav
      );
    });
  await load(start);
}

function tableRow(d, reload) {
  if (d.error) return h("tr", {}, h("td", {}, d.name), h("td", { colspan: 10 }, errorBox(d.error)));
  const t = d.table;
  const stream = t.StreamSpecification && t.StreamSpecification.StreamEnabled ? t.StreamSpecification.StreamViewType : "off";
  const ttl = d.ttl && d.ttl.TimeToLiveStatus !== "DISABLED" ? `${d.ttl.AttributeName} (${d.ttl.TimeToLiveStatus})` : "off";
  const billing = (t.BillingModeSummary && t.BillingModeSummary.BillingMode) || "PROVISIONED";
  const capacity = billing === "PROVISIONED" && t.ProvisionedThroughput ? ` ${t.ProvisionedThroughput.ReadCapacityUnits}/${t.ProvisionedThroughput.WriteCapacityUnits}` : "";
  const tags = (d.tags || []).map((tag) => `${tag.Key}=${tag.Value}`).join(", ");
  const remove = h("button", { class: "danger", "data-delete": t.TableName, onclick: () => deleteTable(t, reload) }, "Delete");
  return h(
    "tr",
    { "data-table": t.TableName },
    h("td", {}, h("a", { href: `#/table/${encodeURIComponent(t.TableName)}` }, t.TableName)),
    h("td", {}, h("span", { class: `badge ${t.TableStatus}` }, t.TableStatus), t.DeletionProtectionEnabled ? h("span", { class: "badge", title: "Deletion protection" }, "protected") : null),
    h("td", { class: "N" }, String(t.ItemCount ?? "")),
    h("td", { class: "N" }, formatBytes(t.TableSizeBytes)),
    h("td", {}, keySchemaText(t.KeySchema, t.AttributeDefinitions)),
    h("td", {}, indexText(t).map((line) => h("div", {}, line))),
    h("td", {}, stream === "off" ? stream : h("a", { href: `#/stream/${encodeURIComponent(t.TableName)}` }, stream)),
    h("td", {}, ttl),
    h("td", {}, billing + capacity),
    h("td", {}, tags),
    h("td", {}, remove)
  );
}

async function deleteTable(t, reload) {
  const ok = await confirmDialog(`Delete table ${t.TableName} and all its items?`, { typed: t.TableName });
  if (!ok) return;
  const status = document.getElementById("main");
  try {
    await api("DeleteTable", { TableName: t.TableName });
    reload();
  } catch (error) {
    status.prepend(errorBox(error));
  }
}

const TYPES = [["S", "String"], ["N", "Number"], ["B", "Binary"]];

function keyFields(prefix, required) {
  return [
    h("label", {}, `${required ? "Partition" : "Sort"} key`, h("input", { name: `${prefix}-name`, id: `${prefix}-name`, required, size: 14 })),
    h("label", {}, "Type", select({ name: `${prefix}-type`, id: `${prefix}-type` }, TYPES, "S")),
  ];
}

function indexFieldset(n) {
  const box = h(
    "fieldset",
    { class: "index", "data-index": n },
    h("legend", {}, `Index ${n + 1}`),
    h("label", {}, "Kind", select({ name: "kind" }, [["GSI", "Global"], ["LSI", "Local"]], "GSI")),
    h("label", {}, "Name", h("input", { name: "name", required: true, size: 14 })),
    h("label", {}, "Partition key", h("input", { name: "pk", size: 12 })),
    h("label", {}, "Type", select({ name: "pkType" }, TYPES, "S")),
    h("label", {}, "Sort key", h("input", { name: "sk", size: 12 })),
    h("label", {}, "Type", select({ name: "skType" }, TYPES, "S")),
    h("label", {}, "Projection", select({ name: "projection" }, ["ALL", "KEYS_ONLY"], "ALL")),
    h("button", { type: "button", class: "secondary", onclick: () => box.remove() }, "Remove")
  );
  return box;
}

export function renderCreate(main) {
  const indexes = h("div");
  const status = h("div");
  let count = 0;
  const billing = select({ id: "billing", name: "billing" }, [["PAY_PER_REQUEST", "On demand"], ["PROVISIONED", "Provisioned"]], "PAY_PER_REQUEST");
  const form = h(
    "form",
    { id: "create-form", onsubmit: (e) => (e.preventDefault(), create(form, status)) },
    h("h1", {}, "Create table"),
    h("fieldset", {}, h("legend", {}, "Table"), h("label", {}, "Name", h("input", { id: "table-name", name: "table", required: true, pattern: "[a-zA-Z0-9_.\\-]{3,255}", size: 24 }))),
    h("fieldset", {}, h("legend", {}, "Primary key"), keyFields("pk", true), keyFields("sk", false)),
    h("fieldset", {}, h("legend", {}, "Secondary indexes"), indexes, h("button", { type: "button", class: "secondary", id: "add-index", onclick: () => indexes.append(indexFieldset(count++)) }, "Add index")),
    h(
      "fieldset",
      {},
      h("legend", {}, "Capacity and features"),
      h("label", {}, "Billing", billing),
      h("label", {}, "Read units", h("input", { name: "rcu", type: "number", min: 1, value: "5", size: 5 })),
      h("label", {}, "Write units", h("input", { name: "wcu", type: "number", min: 1, value: "5", size: 5 })),
      h("label", {}, "Stream", select({ id: "stream-view", name: "stream" }, [["", "Off"], "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], "")),
      h("label", {}, "TTL attribute", h("input", { id: "ttl-attribute", name: "ttl", size: 12 })),
      h("label", {}, "Tags (k=v, …)", h("input", { name: "tags", size: 20 })),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "protect" }), "Deletion protection")
    ),
    h("div", { class: "toolbar" }, h("button", { type: "submit", id: "create-submit" }, "Create"), h("a", { href: "#/tables", class: "button secondary" }, "Cancel")),
    status
  );
  fill(main, form);
  form.elements.table.focus();
}

async function create(form, status) {
  const f = form.elements;
  const name = f.table.value.trim();
  const definitions = new Map();
  const define = (attr, type) => definitions.set(attr, type);
  const key = (pk, pkType, sk, skType) => {
    define(pk, pkType);
    const schema = [{ AttributeName: pk, KeyType: "HASH" }];
    if (sk) define(sk, skType), schema.push({ AttributeName: sk, KeyType: "RANGE" });
    return schema;
  };
  const provisioned = f.billing.value === "PROVISIONED";
  const throughput = { ReadCapacityUnits: Number(f.rcu.value), WriteCapacityUnits: Number(f.wcu.value) };
  const input = {
    TableName: name,
    KeySchema: key(f["pk-name"].value.trim(), f["pk-type"].value, f["sk-name"].value.trim(), f["sk-type"].value),
    BillingMode: f.billing.value,
  };
  if (provisioned) input.ProvisionedThroughput = throughput;
  const gsis = [];
  const lsis = [];
  for (const box of form.querySelectorAll("fieldset.index")) {
    const e = (n) => box.querySelector(`[name=${n}]`).value.trim();
    const kind = e("kind");
    const index = {
      IndexName: e("name"),
      KeySchema: kind === "LSI" ? key(f["pk-name"].value.trim(), f["pk-type"].value, e("sk"), e("skType")) : key(e("pk"), e("pkType"), e("sk"), e("skType")),
      Projection: { ProjectionType: e("projection") },
    };
    if (kind === "GSI" && provisioned) index.ProvisionedThroughput = throughput;
    (kind === "LSI" ? lsis : gsis).push(index);
  }
  if (gsis.length) input.GlobalSecondaryIndexes = gsis;
  if (lsis.length) input.LocalSecondaryIndexes = lsis;
  input.AttributeDefinitions = [...definitions].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  if (f.stream.value) input.StreamSpecification = { StreamEnabled: true, StreamViewType: f.stream.value };
  const tags = f.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
  if (tags.length) input.Tags = tags.map((t) => ({ Key: t.split("=")[0].trim(), Value: t.includes("=") ? t.slice(t.indexOf("=") + 1).trim() : "" }));
  if (f.protect.checked) input.DeletionProtectionEnabled = true;
  fill(status, h("details", { open: true }, h("summary", {}, "Request sent"), h("pre", {}, JSON.stringify(input, null, 2))));
  try {
    await api("CreateTable", input);
    const ttl = f.ttl.value.trim();
    if (ttl) {
      // UpdateTimeToLive needs an ACTIVE table.
      for (let n = 0; n < 50; n++) {
        const { Table } = await api("DescribeTable", { TableName: name });
        if (Table.TableStatus === "ACTIVE") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await api("UpdateTimeToLive", { TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: ttl } });
    }
    location.hash = `#/table/${encodeURIComponent(name)}`;
  } catch (error) {
    status.prepend(errorBox(error));
  }
}
