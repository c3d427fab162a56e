"""The S3 export layout's checksums, the ION format (export and import) and zstd-compressed input.

Sources: developer guide "DynamoDB table export output format" (manifest-summary.json and
manifest-files.json with their .checksum files; each manifest-files.json line gives a data file's
itemCount, md5, etag and dataFileS3Key; ION data files hold `$ion_1_0 {Item:{...}}` with
String -> string, Number -> decimal, Binary -> blob, Boolean -> bool, Null -> null, List -> list,
Map -> struct and sets -> lists annotated $dynamodb_SS / $dynamodb_NS / $dynamodb_BS), API
reference ExportTableToPointInTime (ExportFormat DYNAMODB_JSON | ION) and ImportTable
(InputFormat DYNAMODB_JSON | ION | CSV, InputCompressionType GZIP | ZSTD | NONE).
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import gzip
import hashlib
import json
import re
import time

from conftest import unique_name
from streams_support import clients

KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}]}

ODD_ITEMS = [
    {"pk": {"S": "odd"}, "sk": {"N": "-1.5"}, "bin": {"B": b"\x00\x01\xff"}, "set": {"SS": ["a", "b c"]},
     "nums": {"NS": ["1", "2.5", "-30000000000000000000"]}, "blobs": {"BS": [b"x", b"y"]},
     "map": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}, {"N": "0.001"}]}, "weird key": {"S": "v"},
                   "null": {"S": "a keyword as a name"}, "$1": {"S": "dollar"}}},
     "text": {"S": 'quote " backslash \\ newline \n tab \t bell \x07 é ☃ 𝄞'}, "flag": {"BOOL": True}},
    {"pk": {"S": "big"}, "sk": {"N": "12345678901234567890123456789012345678"}, "n": {"N": "1E+125"}},
]


def md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


def read_checked_export(root, bucket, manifest_key):
    """A plain reader of the export layout that checks every checksum on the way: the
    .checksum files of both manifests, manifestFilesMd5, and each data file's md5 and etag."""
    base = root / bucket
    summary_bytes = (base / manifest_key).read_bytes()
    assert (base / manifest_key.replace(".json", ".checksum")).read_text() == md5(summary_bytes).hex()
    summary = json.loads(summary_bytes)
    files_bytes = (base / summary["manifestFilesS3Key"]).read_bytes()
    assert (base / summary["manifestFilesS3Key"].replace(".json", ".checksum")).read_text() == md5(files_bytes).hex()
    assert summary["manifestFilesMd5"] == base64.b64encode(md5(files_bytes)).decode()
    lines = []
    for line in files_bytes.decode().splitlines():
        entry = json.loads(line)
        assert list(entry) == ["itemCount", "md5", "etag", "dataFileS3Key"]
        data = (base / entry["dataFileS3Key"]).read_bytes()
        assert entry["md5"] == base64.b64encode(md5(data)).decode()
        assert entry["etag"] == md5(data).hex()
        text = gzip.decompress(data).decode()
        file_lines = [line for line in text.splitlines() if line.strip()]
        assert len(file_lines) == entry["itemCount"]
        lines += [(entry["dataFileS3Key"], line) for line in file_lines]
    return summary, lines


def scan_all(client, name):
    items, kwargs = [], {"TableName": name, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["N"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait(describe, key):
    deadline = time.time() + 60
    while True:
        result = describe()
        if result[key] != "IN_PROGRESS":
            return result
        assert time.time() < deadline
        time.sleep(0.05)


def source_table(client):
    name = unique_name("fmt")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEYS)
    client.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for n in range(40):
        client.put_item(TableName=name, Item={"pk": {"S": f"p{n % 7}"}, "sk": {"N": str(n)}, "v": {"S": f"value {n}"}})
    for odd in ODD_ITEMS:
        client.put_item(TableName=name, Item=odd)
    return name


def export(client, name, bucket, fmt):
    arn = client.export_table_to_point_in_time(
        TableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", S3Bucket=bucket,
        ExportFormat=fmt)["ExportDescription"]["ExportArn"]
    done = wait(lambda: client.describe_export(ExportArn=arn)["ExportDescription"], "ExportStatus")
    assert done["ExportStatus"] == "COMPLETED" and done["ExportFormat"] == fmt
    return arn, done


def import_into(client, bucket, prefix, fmt, compression):
    target = unique_name("fmt-in")
    arn = client.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": prefix}, InputFormat=fmt,
        InputCompressionType=compression,
        TableCreationParameters={"TableName": target, "BillingMode": "PAY_PER_REQUEST", **KEYS}
    )["ImportTableDescription"]["ImportArn"]
    final = wait(lambda: client.describe_import(ImportArn=arn)["ImportTableDescription"], "ImportStatus")
    return target, final


def test_json_export_checksums_verify(own_server, tmp_path):
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = source_table(client)
    _, done = export(client, name, "sum-bucket", "DYNAMODB_JSON")
    summary, lines = read_checked_export(exports, "sum-bucket", done["ExportManifest"])
    assert summary["outputFormat"] == "DYNAMODB_JSON" and summary["itemCount"] == 42
    assert all(key.endswith(".json.gz") for key, _ in lines)
    assert sorted(json.loads(line)["Item"]["sk"]["N"] for _, line in lines)[:2] == ["-1.5", "0"]


def test_ion_export_reads_as_ion_and_imports_back_equal(own_server, tmp_path):
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = source_table(client)
    arn, done = export(client, name, "ion-bucket", "ION")
    summary, lines = read_checked_export(exports, "ion-bucket", done["ExportManifest"])
    assert summary["outputFormat"] == "ION" and summary["itemCount"] == 42
    assert all(key.endswith(".ion.gz") for key, _ in lines)
    assert all(line.startswith("$ion_1_0 {Item:{") and line.endswith("}}") for _, line in lines)
    odd = next(line for _, line in lines if 'pk:"odd"' in line)
    # The documented type mapping, as text.
    assert "sk:-1.5," in odd and "flag:true" in odd
    # (a set's elements in any order)
    assert re.search(r'set:\$dynamodb_SS::\[("a","b c"|"b c","a")\]', odd)
    nums = re.search(r"nums:\$dynamodb_NS::\[([^\]]*)\]", odd).group(1)
    assert sorted(nums.split(",")) == sorted(["1.", "2.5", "-30000000000000000000."])
    assert re.search(r"blobs:\$dynamodb_BS::\[(\{\{eA==\}\},\{\{eQ==\}\}|\{\{eQ==\}\},\{\{eA==\}\})\]", odd)
    assert "bin:{{AAH/}}" in odd
    assert "l:[null,false,0.001]" in odd
    assert "'weird key':\"v\"" in odd and "'null':" in odd and "'$1':" in odd
    assert re.search(r'text:"quote \\" backslash \\\\ newline \\n tab \\t bell \\x07 é ☃ 𝄞"', odd)
    plain = next(line for _, line in lines if 'sk:3.,' in line)
    assert plain == '$ion_1_0 {Item:{pk:"p3",sk:3.,v:"value 3"}}'

    export_id = arn.rsplit("/", 1)[1]
    target, final = import_into(client, "ion-bucket", f"AWSDynamoDB/{export_id}/data/", "ION", "GZIP")
    assert final["ImportStatus"] == "COMPLETED"
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (42, 42, 0)
    assert scan_all(client, target) == scan_all(client, name)


def test_ion_import_of_hand_written_text(own_server, tmp_path):
    """Ion text as other tools write it: several values on a line or one over several lines,
    comments, typed nulls, ints, floats and d-exponent decimals, quoted names, long strings,
    escapes; a value that cannot be read is one error and reading goes on."""
    exports = tmp_path / "exports"
    (exports / "hand-bucket").mkdir(parents=True)
    (exports / "hand-bucket" / "items.ion").write_text(
        "$ion_1_0 {Item:{pk:\"a\",sk:1,n:1d3,f:2.5e0,t:null.string,s:'''long ''' '''string''',\n"
        "  e:\"\\u00e9\\x41\\U0001F600\", \"quoted name\":\"q\", 'sym':x::sym_value}} // a comment\n"
        "$ion_1_0 {Item:{pk:\"b\",sk:2.}} {Item:{pk:\"c\",sk:3, m:{deep:[1, {x:$dynamodb_NS::[3, 1.50]}]}}}\n"
        "/* block\n comment */ $ion_1_0 {Item:{pk:\"bad\",sk:(1 2)}}\n"
        "$ion_1_0 {NotItem:{pk:\"d\",sk:4}}\n"
        "$ion_1_0 {Item:{pk:\"e\",sk:5,b:{{ aGVs bG8= }},c:{{\"clob\"}}}}\n")
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    target, final = import_into(client, "hand-bucket", "items", "ION", "NONE")
    assert final["ImportStatus"] == "COMPLETED"
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (6, 4, 2)
    items = {i["pk"]["S"]: i for i in scan_all(client, target)}
    assert set(items) == {"a", "b", "c", "e"}
    assert items["a"] == {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1000"}, "f": {"N": "2.5"},
                          "t": {"NULL": True}, "s": {"S": "long string"}, "e": {"S": "éA😀"},
                          "quoted name": {"S": "q"}, "sym": {"S": "sym_value"}}
    assert items["b"]["sk"] == {"N": "2"}
    deep = items["c"]["m"]["M"]["deep"]["L"]
    assert deep[0] == {"N": "1"} and sorted(deep[1]["M"]["x"]["NS"]) == ["1.5", "3"]
    assert items["e"]["b"] == {"B": b"hello"} and items["e"]["c"] == {"B": b"clob"}


def zstd_compress(data: bytes) -> bytes:
    """Compresses with the system libzstd (libzstd-dev, which the server builds against)."""
    library = ctypes.CDLL(ctypes.util.find_library("zstd") or "libzstd.so.1")
    library.ZSTD_compressBound.restype = ctypes.c_size_t
    library.ZSTD_compress.restype = ctypes.c_size_t
    library.ZSTD_isError.restype = ctypes.c_uint
    bound = library.ZSTD_compressBound(ctypes.c_size_t(len(data)))
    out = ctypes.create_string_buffer(bound)
    size = library.ZSTD_compress(out, ctypes.c_size_t(bound), data, ctypes.c_size_t(len(data)), 3)
    assert not library.ZSTD_isError(ctypes.c_size_t(size))
    return out.raw[:size]


def test_zstd_input(own_server, tmp_path):
    exports = tmp_path / "exports"
    (exports / "zstd-bucket" / "json").mkdir(parents=True)
    (exports / "zstd-bucket" / "ion").mkdir(parents=True)
    (exports / "zstd-bucket" / "csv").mkdir(parents=True)
    rows = [{"Item": {"pk": {"S": f"z{n}"}, "sk": {"N": str(n)}, "v": {"S": "x" * 50}}} for n in range(3000)]
    text = "".join(json.dumps(row) + "\n" for row in rows).encode()
    # Two frames one after another, as `cat a.zst b.zst` makes.
    half = len(text) // 2
    cut = text.index(b"\n", half) + 1
    (exports / "zstd-bucket" / "json" / "part-0.json.zst").write_bytes(zstd_compress(text[:cut]) + zstd_compress(text[cut:]))
    (exports / "zstd-bucket" / "ion" / "part-0.ion.zst").write_bytes(
        zstd_compress(b'$ion_1_0 {Item:{pk:"i",sk:1,v:"ion"}}\n'))
    (exports / "zstd-bucket" / "csv" / "part-0.csv.zst").write_bytes(zstd_compress(b"pk,sk,v\nc,1,csv\n"))
    (exports / "zstd-bucket" / "broken").mkdir()
    (exports / "zstd-bucket" / "broken" / "part-0.zst").write_bytes(zstd_compress(text)[:100])
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)

    target, final = import_into(client, "zstd-bucket", "json/", "DYNAMODB_JSON", "ZSTD")
    assert final["ImportStatus"] == "COMPLETED" and final["InputCompressionType"] == "ZSTD"
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (3000, 3000, 0)
    assert scan_all(client, target) == sorted((row["Item"] for row in rows), key=lambda i: (i["pk"]["S"], i["sk"]["N"]))
    target, final = import_into(client, "zstd-bucket", "ion/", "ION", "ZSTD")
    assert final["ImportedItemCount"] == 1 and scan_all(client, target)[0]["v"] == {"S": "ion"}
    target, final = import_into(client, "zstd-bucket", "csv/", "CSV", "ZSTD")
    assert final["ImportedItemCount"] == 1 and scan_all(client, target)[0]["v"] == {"S": "csv"}
    # A truncated zstd file cannot be read: the import fails.
    _, final = import_into(client, "zstd-bucket", "broken/", "DYNAMODB_JSON", "ZSTD")
    assert final["ImportStatus"] == "FAILED" and final["FailureCode"]


def test_ion_incremental_export(own_server, tmp_path):
    """INCREMENTAL_EXPORT in ION: `$ion_1_0 {Metadata:{WriteTimestampMicros:...},Keys:{...},
    OldImage:{...},NewImage:{...}}` lines, the same fields as in DYNAMODB_JSON."""
    import datetime
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = unique_name("fmt-inc")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEYS)
    client.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    client.put_item(TableName=name, Item={"pk": {"S": "kept"}, "sk": {"N": "1"}, "v": {"S": "old"}})
    time.sleep(1.2)
    start = time.time()
    time.sleep(1.2)
    client.put_item(TableName=name, Item={"pk": {"S": "kept"}, "sk": {"N": "1"}, "v": {"S": "new"}})
    time.sleep(1.2)
    end = time.time()

    def utc(seconds):
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)

    arn = client.export_table_to_point_in_time(
        TableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", S3Bucket="inc-ion", ExportFormat="ION",
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": utc(start), "ExportToTime": utc(end),
                                        "ExportViewType": "NEW_AND_OLD_IMAGES"})["ExportDescription"]["ExportArn"]
    done = wait(lambda: client.describe_export(ExportArn=arn)["ExportDescription"], "ExportStatus")
    assert done["ExportStatus"] == "COMPLETED" and done["ExportFormat"] == "ION"
    summary, lines = read_checked_export(exports, "inc-ion", done["ExportManifest"])
    assert summary["outputFormat"] == "ION" and summary["exportType"] == "INCREMENTAL_EXPORT"
    [(key, line)] = lines
    assert key.endswith(".ion.gz")
    match = re.fullmatch(r'\$ion_1_0 \{Metadata:\{WriteTimestampMicros:(\d+)\.\},Keys:\{pk:"kept",sk:1\.\},'
                         r'OldImage:\{pk:"kept",sk:1\.,v:"old"\},NewImage:\{pk:"kept",sk:1\.,v:"new"\}\}', line)
    assert match and start < int(match.group(1)) / 1e6 <= end
