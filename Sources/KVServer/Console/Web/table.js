// One table: its items a page at a time (Limit + LastEvaluatedKey, never the whole table) and
// the query/scan builder, showing the request sent, ConsumedCapacity, Count/ScannedCount, time.
import { call, api } from "./api.js";
import { h, fill, errorBox, grid, select, ms, pretty } from "./ui.js";
import { typeOf, cellText, valuesFromPlain } from "./items.js";

/** The primary key attributes of `item` under `schema`. */
export function keyOf(item, schema) {
  return Object.fromEntries(schema.map((k) => [k.AttributeName, item[k.AttributeName]]));
}

export function itemLink(tableName, key) {
  return `#/item/${encodeURIComponent(tableName)}?key=${encodeURIComponent(JSON.stringify(key))}`;
}

const stateKey = (name) => `kvconsole.query.${name}`;

export async function render(main, name) {
  const { Table } = await api("DescribeTable", { TableName: name });
  const keyNames = Table.KeySchema.map((k) => k.AttributeName);
  const indexes = [...(Table.GlobalSecondaryIndexes || []), ...(Table.LocalSecondaryIndexes || [])];
  const saved = JSON.parse(sessionStorage.getItem(stateKey(name)) || "{}");
  const field = (id, label, attrs = {}) => h("label", {}, label, h("input", { id, name: id, value: saved[id] || "", size: 28, ...attrs }));
  const form = h(
    "form",
    { id: "query-form", onsubmit: (e) => (e.preventDefault(), run(null, [])) },
    h(
      "fieldset",
      {},
      h("legend", {}, "Query / scan"),
      h("label", {}, "Operation", select({ id: "q-mode", name: "q-mode" }, ["Scan", "Query"], saved["q-mode"] || "Scan")),
      h("label", {}, "Index", select({ id: "q-index", name: "q-index" }, [["", `table (${keyNames.join(", ")})`], ...indexes.map((i) => [i.IndexName, `${i.IndexName} (${i.KeySchema.map((k) => k.AttributeName).join(", ")})`])], saved["q-index"] || "")),
      field("q-key", "Key condition", { placeholder: `${keyNames[0]} = :pk` }),
      field("q-filter", "Filter", { placeholder: "price > :min" }),
      field("q-projection", "Projection", { placeholder: "a, b.c" }),
      field("q-names", "Names (JSON)", { placeholder: '{"#n": "name"}' }),
      field("q-values", "Values (plain JSON)", { placeholder: '{":pk": "a", ":min": 10}' }),
      h("label", {}, "Order", select({ id: "q-order", name: "q-order" }, [["asc", "ascending"], ["desc", "descending"]], saved["q-order"] || "asc")),
      h("label", {}, "Page size", h("input", { id: "q-limit", name: "q-limit", type: "number", min: 1, max: 1000, value: saved["q-limit"] || "50", size: 5 })),
      h("label", { class: "inline" }, h("input", { type: "checkbox", id: "q-consistent", name: "q-consistent", checked: saved["q-consistent"] }), "Consistent read"),
      h("button", { type: "submit", id: "q-run" }, "Run")
    )
  );
  const results = h("div", { id: "results" });
  fill(
    main,
    h("h1", {}, "Table ", h("span", { id: "table-title" }, name)),
    h(
      "div",
      { class: "toolbar" },
      h("a", { class: "button", id: "new-item", href: `#/item/${encodeURIComponent(name)}?new=1` }, "New item"),
      Table.LatestStreamArn ? h("a", { class: "button secondary", href: `#/stream/${encodeURIComponent(name)}` }, "Stream") : null,
      h("a", { class: "button secondary", href: "#/tables" }, "All tables"),
      h("span", { class: "muted" }, `${Table.ItemCount ?? 0} items · keys ${keyNames.join(", ")}`)
    ),
    form,
    results
  );

  const request = () => {
    const f = form.elements;
    const state = {};
    for (const el of form.querySelectorAll("[name]")) state[el.name] = el.type === "checkbox" ? el.checked : el.value;
    sessionStorage.setItem(stateKey(name), JSON.stringify(state));
    const query = f["q-mode"].value === "Query";
    const input = { TableName: name, Limit: Number(f["q-limit"].value) || 50, ReturnConsumedCapacity: "INDEXES" };
    if (f["q-index"].value) input.IndexName = f["q-index"].value;
    if (query) input.KeyConditionExpression = f["q-key"].value.trim();
    if (query && f["q-order"].value === "desc") input.ScanIndexForward = false;
    if (f["q-filter"].value.trim()) input.FilterExpression = f["q-filter"].value.trim();
    if (f["q-projection"].value.trim()) input.ProjectionExpression = f["q-projection"].value.trim();
    if (f["q-names"].value.trim()) input.ExpressionAttributeNames = JSON.parse(f["q-names"].value);
    if (f["q-values"].value.trim()) input.ExpressionAttributeValues = valuesFromPlain(f["q-values"].value);
    if (f["q-consistent"].checked) input.ConsistentRead = true;
    return { operation: query ? "Query" : "Scan", input };
  };

  // `starts`: the ExclusiveStartKey of every page before this one, for Previous.
  const run = async (startKey, starts) => {
    let op;
    try {
      op = request();
    } catch (error) {
      fill(results, errorBox(error));
      return;
    }
    if (startKey) op.input.ExclusiveStartKey = startKey;
    const sent = h("details", { id: "request-sent" }, h("summary", {}, `Request sent: ${op.operation}`), h("pre", {}, pretty(op.input)));
    let answer;
    try {
      answer = await call(op.operation, op.input);
    } catch (error) {
      fill(results, errorBox(error), sent);
      return;
    }
    const { output, ms: took } = answer;
    const items = output.Items || [];
    const columns = [...keyNames];
    const types = {};
    for (const item of items) {
      for (const [attr, value] of Object.entries(item)) {
        if (!columns.includes(attr)) columns.push(attr);
        const t = typeOf(value);
        types[attr] = types[attr] && types[attr] !== t ? "mixed" : t;
      }
    }
    const rows = items.map((item) => {
      const link = itemLink(name, keyOf(item, Table.KeySchema));
      return h(
        "tr",
        { tabindex: 0, "data-key": JSON.stringify(keyOf(item, Table.KeySchema)), onclick: () => (location.hash = link), onkeydown: (e) => e.key === "Enter" && (location.hash = link) },
        columns.map((c) => (c in item ? h("td", { class: typeOf(item[c]), title: cellText(item[c]) }, cellText(item[c])) : h("td", { class: "missing" }, "—")))
      );
    });
    const capacity = output.ConsumedCapacity;
    const page = starts.length + 1;
    fill(
      results,
      h(
        "div",
        { class: "stats", id: "query-stats" },
        h("span", {}, "Page ", h("b", { id: "page-number" }, String(page))),
        h("span", {}, "Count ", h("b", { id: "count" }, String(output.Count))),
        h("span", {}, "ScannedCount ", h("b", { id: "scanned-count" }, String(output.ScannedCount))),
        h("span", {}, "Consumed ", h("b", { id: "consumed" }, capacity ? `${capacity.CapacityUnits} RCU` : "—")),
        h("span", {}, "Time ", h("b", {}, ms(took)))
      ),
      sent,
      capacity ? h("details", {}, h("summary", {}, "ConsumedCapacity"), h("pre", {}, pretty(capacity))) : null,
      items.length
        ? grid(columns.map((c) => [c, h("span", { class: "type" }, types[c] || "")]), rows, { id: "items" })
        : h("p", { class: "muted" }, output.LastEvaluatedKey ? "No matching items on this page; there are more pages." : "No items."),
      h(
        "div",
        { class: "toolbar" },
        h("button", { class: "secondary", id: "page-prev", disabled: !starts.length, onclick: () => run(starts[starts.length - 1], starts.slice(0, -1)) }, "Previous page"),
        h("button", { class: "secondary", id: "page-next", disabled: !output.LastEvaluatedKey, onclick: () => run(output.LastEvaluatedKey, [...starts, startKey]) }, "Next page"),
        output.LastEvaluatedKey ? h("span", { class: "muted mono" }, `LastEvaluatedKey ${JSON.stringify(output.LastEvaluatedKey)}`) : null
      )
    );
  };
  await run(null, []);
}
