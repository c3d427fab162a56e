// PartiQL: ExecuteStatement with results as a table, a page (NextToken) at a time.
import { call } from "./api.js";
import { h, fill, errorBox, grid, ms, pretty } from "./ui.js";
import { typeOf, cellText, valuesFromPlain } from "./items.js";

const SAVED = "kvconsole.partiql";

export function render(main) {
  const saved = JSON.parse(sessionStorage.getItem(SAVED) || "{}");
  const statement = h("textarea", { id: "partiql-statement", rows: 6, spellcheck: "false", "aria-label": "Statement", placeholder: 'SELECT * FROM "table" WHERE pk = ?' }, saved.statement || "");
  const parameters = h("input", { id: "partiql-parameters", size: 40, value: saved.parameters || "", placeholder: '["a", 5]' });
  const results = h("div", { id: "partiql-results" });
  const run = async (nextToken, page) => {
    sessionStorage.setItem(SAVED, JSON.stringify({ statement: statement.value, parameters: parameters.value }));
    const input = { Statement: statement.value, ReturnConsumedCapacity: "TOTAL" };
    try {
      if (parameters.value.trim()) {
        const values = valuesFromPlain(`{"p": ${parameters.value}}`).p;
        if (!values.L) throw new Error("Parameters must be a JSON array");
        input.Parameters = values.L;
      }
    } catch (error) {
      fill(results, errorBox(error));
      return;
    }
    if (nextToken) input.NextToken = nextToken;
    const sent = h("details", {}, h("summary", {}, "Request sent"), h("pre", {}, pretty(input)));
    let answer;
    try {
      answer = await call("ExecuteStatement", input);
    } catch (error) {
      fill(results, errorBox(error), sent);
      return;
    }
    const { output, ms: took } = answer;
    const items = output.Items || [];
    const columns = [];
    for (const item of items) for (const attr of Object.keys(item)) if (!columns.includes(attr)) columns.push(attr);
    const rows = items.map((item) => h("tr", {}, columns.map((c) => (c in item ? h("td", { class: typeOf(item[c]) }, cellText(item[c])) : h("td", { class: "missing" }, "—")))));
    fill(
      results,
      h(
        "div",
        { class: "stats" },
        h("span", {}, "Page ", h("b", {}, String(page))),
        h("span", {}, "Items ", h("b", { id: "partiql-count" }, String(items.length))),
        h("span", {}, "Consumed ", h("b", {}, output.ConsumedCapacity ? String(output.ConsumedCapacity.CapacityUnits) : "—")),
        h("span", {}, "Time ", h("b", {}, ms(took)))
      ),
      sent,
      items.length ? grid(columns, rows, { id: "partiql-items" }) : h("p", { class: "muted" }, "No items."),
      output.NextToken ? h("button", { class: "secondary", id: "partiql-next", onclick: () => run(output.NextToken, page + 1) }, "Next page") : null
    );
  };
  statement.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.preventDefault(), run(null, 1);
  });
  fill(
    main,
    h("h1", {}, "PartiQL"),
    h("form", { id: "partiql-form", onsubmit: (e) => (e.preventDefault(), run(null, 1)) }, statement, h("div", { class: "toolbar" }, h("label", {}, "Parameters (plain JSON array)", parameters), h("button", { type: "submit", id: "partiql-run" }, "Run"), h("span", { class: "muted" }, "Ctrl+Enter runs"))),
    results
  );
  statement.focus();
}
