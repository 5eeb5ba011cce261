#!/usr/bin/env python3
"""A partner system talking to Cascade's API with nothing but Python's standard library.

It reads the cascade of Chỉ thị 21-CT/TW (every implementing document it may see, with task
counts) and posts a progress update on the first task it may report on, with an API token
issued by an administrator (``manage.py api_token issue USERNAME --name "…"``)::

    python3 scripts/partner_example.py --url http://127.0.0.1:8000 --token csc_…

The URL and token may also come from CASCADE_URL and CASCADE_TOKEN.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class Api:
    """GET and POST JSON with the token; an error answer is shown with its message."""

    def __init__(self, url: str, token: str) -> None:
        self.base = url.rstrip("/") + "/api/"
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **query: Any):
        url = urllib.parse.urljoin(self.base, path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own server
            url,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise SystemExit(f"{method} {url}: HTTP {error.code}: {detail}") from None


def print_tree(node: dict[str, Any], indent: int = 0) -> int:
    """Print a cascade node and its children; return how many documents were printed."""
    document = node["document"]
    print(
        f"{'  ' * indent}{document['identifier'] or '(chưa số)'} — {document['issuer_label']}"
        f" [{node['task_done']}/{node['task_total']} nhiệm vụ xong]"
    )
    return 1 + sum(print_tree(child, indent + 1) for child in node["children"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("CASCADE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("CASCADE_TOKEN"))
    parser.add_argument("--directive", default="21-CT/TW")
    parser.add_argument("--note", default="Cập nhật từ hệ thống đối tác: đã triển khai.")
    parser.add_argument("--status", default="in_progress", choices=["in_progress", "done"])
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token (or set CASCADE_TOKEN)")
    api = Api(args.url, args.token)

    found = api.call("GET", "documents/", identifier=args.directive)["results"]
    if not found:
        raise SystemExit(f"{args.directive} is not visible with this token.")
    directive = found[0]
    cascade = api.call("GET", f"documents/{directive['id']}/cascade/")
    print(f"Cascade of {directive['identifier']}:")
    documents = print_tree(cascade["tree"])
    print(f"{documents} documents.")

    shares = api.call(
        "GET", "assignments/", root=directive["id"], updatable="true", status="not_started"
    )["results"]
    if not shares:
        print("No task to report on with this token.")
        return 0
    share = shares[0]
    update = api.call(
        "POST",
        "progress-updates/",
        {"assignment": share["id"], "note": args.note, "status": args.status},
    )
    print(
        f"Posted progress update {update['id']} on task {share['task']} for "
        f"{share['unit']['name']}: {update['status']}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
