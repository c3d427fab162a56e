// Streams: a live tail of a table's change stream (DescribeStream, GetShardIterator, GetRecords
// polled once a second, following child shards), INSERT/MODIFY/REMOVE with an old/new diff.
import { api, streams } from "./api.js";
import { h, fill, errorBox, grid, select } from "./ui.js";
import { cellText, sameAttribute } from "./items.js";

const POLL_MS = 1000;
const KEEP = 200;

export async function renderList(main) {
  const { TableNames = [] } = await api("ListTables", { Limit: 100 });
  const described = await Promise.all(TableNames.map((n) => api("DescribeTable", { TableName: n }).then((d) => d.Table, () => null)));
  const withStreams = described.filter((t) => t && t.LatestStreamArn);
  fill(
    main,
    h("h1", {}, "Streams"),
    withStreams.length
      ? grid(
          ["Table", "View type", "Stream ARN"],
          withStreams.map((t) => h("tr", {}, h("td", {}, h("a", { href: `#/stream/${encodeURIComponent(t.TableName)}` }, t.TableName)), h("td", {}, t.StreamSpecification ? t.StreamSpecification.StreamViewType : ""), h("td", { class: "mono" }, t.LatestStreamArn)))
        )
      : h("p", { class: "muted" }, "No table among the first 100 has a stream. Enable one when creating a table.")
  );
}

/** Rows of attribute name, old, new, with the kind of change. */
export function diffRows(oldImage = {}, newImage = {}) {
  const names = [...new Set([...Object.keys(oldImage), ...Object.keys(newImage)])];
  const rows = names.map((n) => {
    const before = oldImage[n];
    const after = newImage[n];
    const kind = !before ? "added" : !after ? "removed" : sameAttribute(before, after) ? "same" : "changed";
    return [kind, h("tr", { class: kind }, h("td", {}, n), h("td", { class: kind }, before ? cellText(before) : ""), h("td", { class: kind }, after ? cellText(after) : ""))];
  });
  // What changed first, unchanged attributes last.
  return [...rows.filter(([kind]) => kind !== "same"), ...rows.filter(([kind]) => kind === "same")].map(([, row]) => row);
}

function recordView(record) {
  const d = record.dynamodb || {};
  const when = d.ApproximateCreationDateTime ? new Date(d.ApproximateCreationDateTime * 1000).toLocaleTimeString() : "";
  const hasImages = d.OldImage || d.NewImage;
  return h(
    "div",
    { class: "record", "data-event": record.eventName },
    h("div", { class: "toolbar" }, h("span", { class: `badge ${record.eventName}` }, record.eventName), h("span", { class: "mono" }, Object.entries(d.Keys || {}).map(([k, v]) => `${k}=${cellText(v)}`).join(" ")), h("span", { class: "muted" }, `${when} · seq ${d.SequenceNumber || ""}`), record.userIdentity ? h("span", { class: "muted" }, "TTL delete") : null),
    hasImages ? h("table", { class: "grid diff" }, h("thead", {}, h("tr", {}, h("th", {}, "Attribute"), h("th", {}, "Old"), h("th", {}, "New"))), h("tbody", {}, diffRows(d.OldImage, d.NewImage))) : null
  );
}

export async function render(main, name) {
  const { Table } = await api("DescribeTable", { TableName: name });
  if (!Table.LatestStreamArn) {
    fill(main, h("h1", {}, `Stream of ${name}`), h("p", {}, "This table has no stream."));
    return;
  }
  const arn = Table.LatestStreamArn;
  const records = h("div", { id: "stream-records" });
  const status = h("div", { id: "stream-status", class: "muted", role: "status" });
  const from = select({ id: "stream-from", "aria-label": "Start" }, [["LATEST", "new changes from now"], ["TRIM_HORIZON", "everything kept (trim horizon)"]], "LATEST");
  const pause = h("button", { class: "secondary", id: "stream-pause" }, "Pause");
  fill(main, h("h1", {}, `Stream of ${name}`), h("div", { class: "toolbar" }, h("label", { class: "inline" }, "Show", from), pause, h("button", { class: "secondary", onclick: () => records.replaceChildren() }, "Clear"), h("span", { class: "mono muted" }, arn)), status, records);

  let stopped = false;
  let paused = false;
  let timer = null;
  let generation = 0;
  // shardId -> iterator (null once the shard is closed and read to its end)
  let iterators = new Map();
  let seen = new Set();
  let count = 0;

  const discover = async (type) => {
    const { StreamDescription } = await streams("DescribeStream", { StreamArn: arn });
    for (const shard of StreamDescription.Shards || []) {
      if (seen.has(shard.ShardId)) continue;
      seen.add(shard.ShardId);
      // Shards that appear after the tail started are read from their beginning.
      const open = !shard.SequenceNumberRange || !shard.SequenceNumberRange.EndingSequenceNumber;
      if (type === "LATEST" && !open) continue;
      const { ShardIterator } = await streams("GetShardIterator", { StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: type });
      iterators.set(shard.ShardId, ShardIterator);
    }
  };

  const poll = async (mine) => {
    if (stopped || mine !== generation) return;
    try {
      if (!paused) {
        await discover("TRIM_HORIZON");
        for (const [shard, iterator] of iterators) {
          if (!iterator) continue;
          const { Records = [], NextShardIterator } = await streams("GetRecords", { ShardIterator: iterator, Limit: 100 });
          iterators.set(shard, NextShardIterator || null);
          for (const record of Records) {
            records.prepend(recordView(record));
            count++;
          }
        }
        while (records.childElementCount > KEEP) records.lastElementChild.remove();
        fill(status, `Tailing ${iterators.size} shard(s) · ${count} record(s) seen · polled ${new Date().toLocaleTimeString()}`);
      }
    } catch (error) {
      fill(status, errorBox(error));
    }
    if (!stopped && mine === generation) timer = setTimeout(() => poll(mine), POLL_MS);
  };

  const start = async () => {
    generation++;
    clearTimeout(timer);
    iterators = new Map();
    seen = new Set();
    try {
      await discover(from.value);
    } catch (error) {
      fill(status, errorBox(error));
      return;
    }
    poll(generation);
  };
  from.addEventListener("change", () => (records.replaceChildren(), (count = 0), start()));
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
  });
  await start();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
