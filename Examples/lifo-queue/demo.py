"""Runs the LIFO queue end to end: producer, stream trigger, processors, legacy system.

    python3 demo.py --endpoint http://127.0.0.1:8000 [--tasks 500] [--rate 300]
"""

from __future__ import annotations

import argparse
import time

from botocore.exceptions import ClientError

from lifo_queue import (FAILURE, PENDING, SUCCESS, TABLE_NAME, LegacySystem, QueueSystem,
                        create_queue_table, dynamodb_clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="http://127.0.0.1:8000")
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--rate", type=float, default=300, help="tasks per second")
    parser.add_argument("--processors", type=int, default=4)
    args = parser.parse_args()

    dynamodb, streams = dynamodb_clients(args.endpoint)
    try:
        stream_arn = create_queue_table(dynamodb)
        print(f"created {TABLE_NAME} (GSI, stream, TTL)")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        print(f"using the existing {TABLE_NAME}")

    legacy = LegacySystem(max_concurrent=2, service_seconds=0.01)
    system = QueueSystem(dynamodb, streams, stream_arn, legacy, max_runs=args.processors).start()
    started = time.monotonic()
    system.producer.run(count=args.tasks, rate_per_second=args.rate)
    print(f"produced {args.tasks} tasks in {time.monotonic() - started:.1f}s; draining...")
    while len(system.journal.of("done")) < args.tasks or system.dispatcher.active:
        time.sleep(0.2)
        print(f"  done {len(system.journal.of('done'))}/{args.tasks}, active runs {system.dispatcher.active}",
              end="\r")
    system.stop()
    outcomes = [e[2] for e in system.journal.of("done")]
    print(f"\nidle after {time.monotonic() - started:.1f}s: {outcomes.count(SUCCESS)} {SUCCESS}, "
          f"{outcomes.count(FAILURE)} {FAILURE}; {system.dispatcher.runs_started} processing runs, "
          f"{len(system.journal.of('released'))} hand-backs to {PENDING} (legacy saturated)")
    first = [task for task, _ in (system.journal.of("batch") or [("batch", [])])[0][1]][:3]
    print(f"first claim batch (newest first): {first}")


if __name__ == "__main__":
    main()
