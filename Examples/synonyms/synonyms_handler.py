"""The synonyms consumer as a stream-trigger handler: kvserver (or Lambda) calls it with each
batch of the table's changes, instead of it polling the Streams API.

    python3 synonyms_handler.py --port 9100 --output synonyms.txt --state synonyms.state.json
    aws lambda create-event-source-mapping --endpoint-url http://127.0.0.1:8000 \\
        --event-source-arn STREAM_ARN --function-name http://127.0.0.1:9100/ --starting-position TRIM_HORIZON

`handler(event, context)` is the same code a Lambda function would run: it applies every
INSERT, MODIFY and REMOVE to its view (row id -> "base, synonym, synonym"), rewrites
synonyms.txt atomically, then saves the view. The trigger delivers at least once and checkpoints
only after the call succeeds, so a crash mid-batch means the batch comes again; applying a
record is idempotent, so that changes nothing. No checkpoint of its own is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

COLUMNS = ("Base_Term", "Synonym_1", "Synonym_2")


def atomic_write(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(text)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)


class SynonymsView:
    def __init__(self, output: Path, state: Path):
        self.output = output
        self.state = state
        saved = json.loads(state.read_text()) if state.exists() else {"rows": {}, "records_applied": 0}
        self.rows: dict[str, str] = saved["rows"]
        self.records_applied: int = saved["records_applied"]

    def handler(self, event: dict, context=None) -> dict:
        for record in event["Records"]:
            change = record["dynamodb"]
            row_id = change["Keys"]["id"]["S"]
            if record["eventName"] == "REMOVE":
                self.rows.pop(row_id, None)
            else:
                image = change["NewImage"]
                self.rows[row_id] = ", ".join(image[c]["S"] for c in COLUMNS if image.get(c, {}).get("S"))
        self.records_applied += len(event["Records"])
        atomic_write(self.output, "".join(self.rows[row_id] + "\n" for row_id in sorted(self.rows)))
        atomic_write(self.state, json.dumps({"rows": self.rows, "records_applied": self.records_applied}))
        return {}


def serve(view: SynonymsView, port: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            body = json.dumps(view.handler(event)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    print(f"synonyms handler listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--output", type=Path, default=Path("synonyms.txt"))
    parser.add_argument("--state", type=Path, default=Path("synonyms.state.json"))
    args = parser.parse_args()
    serve(SynonymsView(args.output, args.state), args.port)


if __name__ == "__main__":
    main()
