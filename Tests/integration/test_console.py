"""The web console (GET /console), served by kvserver and driven in headless Chromium.

The page speaks the DynamoDB JSON protocol to the same server (POST / with X-Amz-Target, SigV4
signed in the browser when --auth is on); these tests click through it as a person would and
check the effect with boto3. Screenshots of every page are saved (see console_browser.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import botocore.config
import pytest

from auth_support import ALLOW_ALL_POLICY, start_auth_server
from conftest import REPO_ROOT
from console_browser import ARTIFACTS, Browser

BIG = "12345678901234567890.123456789"  # more digits than a JavaScript number keeps


def boto(url: str, key: str = "test", secret: str = "test"):
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1}))


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def browser():
    driver = Browser()
    try:
        yield driver
    finally:
        uncaught = [line for line in driver.severe_logs() if "Uncaught" in line]
        driver.quit()
        assert not uncaught, f"JavaScript errors in the console: {uncaught}"


def test_generated_assets_are_current():
    # ConsoleAssetFiles.swift is what the binary serves; it must match Web/.
    result = subprocess.run([sys.executable, str(REPO_ROOT / "Scripts" / "console-assets.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_assets_are_served_without_auth_with_types_and_validators(tmp_path):
    server = start_auth_server(tmp_path, {"identities": []})
    try:
        status, headers, body = fetch(server.endpoint + "/console")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert b'src="/console/app.js"' in body
        status, headers, body = fetch(server.endpoint + "/console/app.js")
        assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
        assert headers["Cache-Control"] == "no-cache"
        status, _, _ = fetch(server.endpoint + "/console/app.js", {"If-None-Match": headers["ETag"]})
        assert status == 304
        status, headers, body = fetch(server.endpoint + "/console/config.json")
        assert json.loads(body) == {"auth": True, "region": "us-east-1"}
        assert fetch(server.endpoint + "/console/missing.js")[0] == 404
        # The API itself still wants a signature.
        request = urllib.request.Request(server.endpoint + "/", data=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(request, timeout=10)
        assert denied.value.code == 400
    finally:
        server.stop()


def test_console_port_and_no_console(own_server):
    url, server = own_server("--in-memory", "--console-port", "0")
    assert fetch(url + "/console")[0] == 404  # not on the API port when it has its own
    line = next(line for line in server.stdout_lines if "console on" in line)
    console_url = line.split("console on ", 1)[1].strip()
    assert console_url.endswith("/console")
    assert fetch(console_url)[0] == 200
    status, _, body = fetch(console_url.rsplit("/console", 1)[0] + "/")
    assert status == 200 and body.startswith(b"healthy:")  # the same API answers there
    url, _ = own_server("--in-memory", "--no-console")
    assert fetch(url + "/console")[0] == 404


def test_tables_items_query_stream_partiql_metrics(own_server, browser):
    url, _ = own_server("--in-memory")
    ddb = boto(url)
    b = browser
    b.open(url + "/console")
    b.wait_text("main", "No tables yet")
    b.screenshot("01-tables-empty")

    # -- create a table in the form: keys, a GSI, a stream, TTL, tags ---------------------------
    b.click("#create-table")
    b.type("#table-name", "Orders")
    b.type("#pk-name", "pk")
    b.type("#sk-name", "sk")
    b.choose("#sk-type", "N")
    b.click("#add-index")
    b.type("fieldset.index input[name=name]", "byStatus")
    b.type("fieldset.index input[name=pk]", "status")
    b.choose("#stream-view", "NEW_AND_OLD_IMAGES")
    b.type("#ttl-attribute", "expires")
    b.type("input[name=tags]", "team=web")
    b.screenshot("02-create-table")
    b.click("#create-submit")
    b.wait_text("#table-title", "Orders")
    described = ddb.describe_table(TableName="Orders")["Table"]
    assert [k["AttributeName"] for k in described["KeySchema"]] == ["pk", "sk"]
    assert described["GlobalSecondaryIndexes"][0]["IndexName"] == "byStatus"
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert ddb.describe_time_to_live(TableName="Orders")["TimeToLiveDescription"]["AttributeName"] == "expires"

    # -- add an item in the editor (plain JSON, a number beyond double precision) --------------
    b.click("#new-item")
    b.set_value("#item-editor", json.dumps({"pk": "a", "sk": 1, "status": "new"})[:-1] + f', "total": {BIG}}}')
    b.click("#item-save")
    b.wait(lambda: "?key=" in b.driver.current_url, "the saved item's page")
    b.wait_text("#item-status", "Saved")
    item = ddb.get_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item["total"] == {"N": BIG}
    assert BIG in b.find("#item-editor").get_attribute("value")

    # -- edit it: conditional on the version read -----------------------------------------------
    text = b.find("#item-editor").get_attribute("value")
    b.set_value("#item-editor", text.replace('"new"', '"paid"'))
    b.screenshot("03-item-editor")
    b.click("#item-save")
    b.wait(lambda: ddb.get_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["status"]
           == {"S": "paid"}, "the edit to be stored")
    # A change made elsewhere after the page read the item is not overwritten silently.
    b.wait_text("#item-status", "Saved")
    ddb.update_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                    UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": {"S": "shipped"}})
    text = b.find("#item-editor").get_attribute("value")
    b.set_value("#item-editor", text.replace('"paid"', '"cancelled"'))
    b.click("#item-save")
    b.wait_text("#item-status", "ConditionalCheckFailedException: The conditional request failed")
    stored = ddb.get_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert stored["status"] == {"S": "shipped"}
    # DynamoDB JSON view of the same item.
    b.click("#item-reload")
    b.wait(lambda: '"shipped"' in b.find("#item-editor").get_attribute("value"), "the reloaded item")
    b.choose("#item-format", "dynamodb")
    b.wait(lambda: f'"N": "{BIG}"' in b.find("#item-editor").get_attribute("value"), "DynamoDB JSON")
    b.choose("#item-format", "plain")

    # -- duplicate it under another key ----------------------------------------------------------
    b.click("#item-duplicate")
    b.wait(lambda: "new=1" in b.driver.current_url, "the duplicate's page")
    b.wait(lambda: '"shipped"' in b.find("#item-editor").get_attribute("value"), "the draft")
    text = b.find("#item-editor").get_attribute("value")
    b.set_value("#item-editor", text.replace('"sk": 1', '"sk": 2'))
    b.click("#item-save")
    b.wait_text("#item-status", "Saved")
    assert ddb.get_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "2"}})["Item"]["total"] == {"N": BIG}

    # -- query with a filter, paged through LastEvaluatedKey ------------------------------------
    for n in range(3, 21):
        ddb.put_item(TableName="Orders", Item={"pk": {"S": "a"}, "sk": {"N": str(n)}, "qty": {"N": str(n % 4)}})
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "qty": {"N": "3"}})
    b.go("#/table/Orders")
    b.wait_text("#query-stats", "Count")
    b.choose("#q-mode", "Query")
    b.type("#q-key", "pk = :pk")
    b.type("#q-filter", "qty >= :min")
    b.type("#q-values", '{":pk": "a", ":min": 2}')
    b.type("#q-limit", "5")
    b.click("#q-run")
    expected = [str(n) for n in range(3, 21) if n % 4 >= 2]
    seen: list[str] = []
    for page in range(1, 10):
        b.wait(lambda: b.text("#page-number") == str(page) and "Query" in b.driver.execute_script(
            "return document.querySelector('#request-sent summary').textContent"), f"page {page} of the query")
        assert "KeyConditionExpression" in b.driver.execute_script(
            "return document.querySelector('#request-sent pre').textContent")
        assert int(b.text("#scanned-count")) <= 5
        assert "RCU" in b.text("#consumed")
        rows = b.all("#items tbody tr")
        seen += [json.loads(row.get_attribute("data-key"))["sk"]["N"] for row in rows]
        assert int(b.text("#count")) == len(rows)
        if page == 2:
            b.screenshot("04-query-filter-paged")
        if not b.find("#page-next").is_enabled():
            break
        b.click("#page-next")
    assert seen == expected
    b.click("#page-prev")
    b.wait(lambda: b.text("#page-number") == str(page - 1), "the previous page")

    # -- an error is shown as DynamoDB words it --------------------------------------------------
    b.type("#q-filter", "qty >= :missing")
    b.click("#q-run")
    b.wait_text("#results", "ValidationException: ")
    assert ":missing" in b.text("#results .error")

    # -- delete an item with confirmation --------------------------------------------------------
    b.go("#/item/Orders?key=" + json.dumps({"pk": {"S": "a"}, "sk": {"N": "3"}}))
    b.find("#item-delete")
    b.click("#item-delete")
    b.click("#confirm-ok")
    b.wait(lambda: "#/table/Orders" in b.driver.current_url, "the table after the delete")
    assert "Item" not in ddb.get_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "3"}})

    # -- the stream view tails new changes, with an old/new diff ---------------------------------
    b.go("#/stream/Orders")
    b.wait_text("#stream-status", "Tailing")
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "s"}, "sk": {"N": "1"}, "qty": {"N": "1"}})
    ddb.update_item(TableName="Orders", Key={"pk": {"S": "s"}, "sk": {"N": "1"}}, UpdateExpression="SET qty = :q",
                    ExpressionAttributeValues={":q": {"N": "7"}})
    b.wait(lambda: len(b.all("#stream-records .record")) >= 2, "two stream records", timeout=15)
    events = [r.get_attribute("data-event") for r in b.all("#stream-records .record")]
    assert events[:2] == ["MODIFY", "INSERT"]  # newest first
    changed = b.driver.execute_script(
        "return [...document.querySelectorAll('#stream-records .record')][0].querySelector('tr.changed').textContent")
    assert changed.startswith("qty") and "1" in changed and "7" in changed
    b.screenshot("05-stream")
    # Records written before the tail started are not shown; the trim horizon shows them.
    assert not any(r.get_attribute("data-event") == "REMOVE" for r in b.all("#stream-records .record"))
    b.choose("#stream-from", "TRIM_HORIZON")
    b.wait(lambda: any(r.get_attribute("data-event") == "REMOVE" for r in b.all("#stream-records .record")),
           "the earlier REMOVE from the trim horizon", timeout=15)

    # -- PartiQL ---------------------------------------------------------------------------------
    b.go("#/partiql")
    b.set_value("#partiql-statement", 'SELECT * FROM "Orders" WHERE pk = ?')
    b.type("#partiql-parameters", '["b"]')
    b.click("#partiql-run")
    b.wait_text("#partiql-count", "1")
    assert "qty" in b.text("#partiql-items")
    b.screenshot("06-partiql")

    # -- metrics: charts when the server exposes /metrics, a plain notice otherwise ---------------
    b.go("#/metrics")
    b.wait(lambda: b.all("#metrics-unavailable") or b.all("#metrics svg.chart") or "Collecting" in b.text("#metrics"),
           "the metrics page", timeout=8)
    b.screenshot("07-metrics")

    # -- the tables list, then delete the table with a typed confirmation -------------------------
    b.go("#/tables")
    row = b.find('tr[data-table="Orders"]')
    for column in ("NEW_AND_OLD_IMAGES", "expires", "byStatus", "team=web", "PAY_PER_REQUEST", "pk (S, partition)"):
        assert column in row.text
    b.screenshot("08-tables")
    b.click('button[data-delete="Orders"]')
    assert not b.find("#confirm-ok").is_enabled()
    b.find("#confirm-input").send_keys("Orders")
    b.click("#confirm-ok")
    b.wait_text("main", "No tables yet")
    assert ddb.list_tables()["TableNames"] == []


def test_narrow_window_and_keyboard(own_server):
    url, _ = own_server("--in-memory")
    boto(url).create_table(TableName="narrow", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True)
    b = Browser(width=420, height=800)
    try:
        b.open(url + "/console")
        row = b.find('tr[data-table="narrow"]')
        assert "protected" in row.text
        # Deletion protection is the server's to enforce; the console shows its answer as is.
        b.click('button[data-delete="narrow"]')
        b.find("#confirm-input").send_keys("narrow")
        b.click("#confirm-ok")
        b.wait_text("main", "ValidationException: Resource cannot be deleted as it is currently protected against deletion.")
        assert boto(url).describe_table(TableName="narrow")["Table"]["TableStatus"] == "ACTIVE"
        # The page itself does not scroll sideways; wide tables scroll inside their box.
        assert b.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        # "g" then "p" goes to the PartiQL page from the keyboard.
        body = b.find("body")
        body.send_keys("g")
        body.send_keys("p")
        b.find("#partiql-statement")
        b.screenshot("09-narrow-partiql")
    finally:
        b.quit()


ACCOUNT = "111122223333"
KEY, SECRET = "AKIACONSOLE000000001", "console-secret-0001"
ADMIN_KEY = "AKIACONSOLEADMIN0001"


def test_login_signs_requests_and_shows_access_denied(tmp_path, browser):
    deny_secret = {"Effect": "Deny", "Action": "dynamodb:*",
                   "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/secret*"}
    server = start_auth_server(tmp_path, {"identities": [
        {"arn": f"arn:aws:iam::{ACCOUNT}:user/console", "keys": [{"accessKeyId": KEY, "secretAccessKey": SECRET}],
         "policies": [ALLOW_ALL_POLICY, {"Version": "2012-10-17", "Statement": [deny_secret]}]},
        {"arn": f"arn:aws:iam::{ACCOUNT}:user/admin", "keys": [{"accessKeyId": ADMIN_KEY, "secretAccessKey": SECRET}],
         "policies": [ALLOW_ALL_POLICY]},
    ]})
    try:
        ddb = server.client(ADMIN_KEY, SECRET)
        for name in ("open", "secret"):
            ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="open", Item={"pk": {"S": "x"}, "n": {"N": "1"}})
        b = browser
        b.open(server.endpoint + "/console")
        b.find("#login-form")
        # A wrong secret is refused with the server's own message.
        b.type("#login-key", KEY)
        b.type("#login-secret", "wrong")
        b.click("#login-submit")
        b.wait_text("#login-form", "InvalidSignatureException: The request signature we calculated does not match")
        b.screenshot("10-login")
        b.type("#login-secret", SECRET)
        b.click("#login-submit")
        b.find('tr[data-table="open"]')
        assert f"signed in as {KEY}" in b.text("#identity")
        # The forbidden table's row shows DynamoDB's AccessDeniedException, the other works.
        denied = b.find('#tables tr:not([data-table]) .error')
        assert denied.get_attribute("data-error-type") == "AccessDeniedException"
        assert "is not authorized to perform: dynamodb:DescribeTable" in denied.text
        b.screenshot("11-access-denied")
        b.go("#/table/secret")
        b.wait_text("main", "AccessDeniedException: User: arn:aws:iam::111122223333:user/console is not authorized")
        b.go("#/table/open")
        b.wait_text("#count", "1")
        # The secret stays in this tab's session storage, nowhere else.
        assert b.driver.execute_script("return localStorage.length") == 0
        assert SECRET in b.driver.execute_script("return sessionStorage.getItem('kvconsole.credentials')")
        b.click("#logout")
        b.find("#login-form")
    finally:
        server.stop()


def test_page_modules_keep_numbers_exact_and_read_prometheus_text(own_server, browser):
    # The modules as the browser runs them: plain JSON <-> DynamoDB JSON (kvctl's conventions,
    # Sources/KVCtlCore/ItemJSON.swift) and the Prometheus text parser of the metrics page.
    url, _ = own_server("--in-memory")
    browser.open(url + "/console")
    browser.find("header nav")
    result = browser.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        Promise.all([import('/console/items.js'), import('/console/metrics.js')]).then(([items, metrics]) => {
          const item = items.itemFromPlain(arguments[0]);
          done({
            item,
            plain: items.itemPlainText(item, ['pk']),
            cell: items.cellText(item.m),
            bad: (() => { try { items.itemFromPlain('{"a": [1,]}'); return 'parsed'; } catch (e) { return e.message; } })(),
            emptySet: (() => { try { items.itemFromPlain('{"a": {"$ss": []}}'); return 'parsed'; } catch (e) { return e.message; } })(),
            prom: metrics.parsePrometheus(arguments[1]),
          });
        }, (error) => done({error: String(error)}));
    """, '{"n": -0.000000000000000000000000000000000000012, "pk": "k", "big": ' + BIG + ', "ss": {"$ss": ["a", "b"]},'
         ' "ns": {"$ns": [1, 2.50]}, "b": {"$b": "AAE="}, "l": [true, null, 1e3], "m": {"x": {"y": "z"}}}',
         '# HELP x_total Requests.\n# TYPE x_total counter\nx_total{op="Get",t="a\\"b"} 12\nx_total 3.5e2\n'
         '# TYPE lat histogram\nlat_bucket{le="+Inf"} 4\n')
    assert "error" not in result, result
    assert result["item"] == {
        "n": {"N": "-0.000000000000000000000000000000000000012"}, "pk": {"S": "k"}, "big": {"N": BIG},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.50"]}, "b": {"B": "AAE="},
        "l": {"L": [{"BOOL": True}, {"NULL": True}, {"N": "1e3"}]}, "m": {"M": {"x": {"M": {"y": {"S": "z"}}}}}}
    assert result["plain"].startswith('{\n  "pk": "k",\n  "n": -0.000000000000000000000000000000000000012,')
    assert f'"big": {BIG},' in result["plain"]
    assert result["cell"] == '{"x": {"y": "z"}}'
    assert "position" in result["bad"]
    assert result["emptySet"] == "a: $ss takes a non-empty array"
    assert result["prom"]["types"] == {"x_total": "counter", "lat": "histogram"}
    assert result["prom"]["samples"] == [
        {"name": "x_total", "labels": {"op": "Get", "t": 'a"b'}, "value": 12},
        {"name": "x_total", "labels": {}, "value": 350},
        {"name": "lat_bucket", "labels": {"le": "+Inf"}, "value": 4}]
