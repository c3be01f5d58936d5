"""`flxd listings …`: the hub catalog from the command line."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from flxd.clock import SystemClock
from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json, print_table, to_jsonable
from flxd.errors import UsageError
from flxd.hub.catalog import Catalog
from flxd.hub.files.listings import COLUMNS, FileRejected, parse_listing_file
from flxd.hub.listing_keys import upsert_file
from flxd.hub.model import Listing, ListingStatus, Presence
from flxd.hub.money import show_money

__all__ = ["add_parsers"]

# action -> (column, value, only from) ; hide/unhide/delist/relist act on whole listings
_ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "pause": ("status", ListingStatus.PAUSED, None),
    "unpause": ("status", ListingStatus.ACTIVE, None),
    "hide": ("presence", Presence.HIDDEN, Presence.LISTED),
    "unhide": ("presence", Presence.LISTED, Presence.HIDDEN),
    "delist": ("presence", Presence.DELISTED, None),
    "relist": ("presence", Presence.LISTED, Presence.DELISTED),
}
_HELP = {
    "pause": "stop pushing price and quantity for these listings",
    "unpause": "resume pushing (the next sync pushes current values)",
    "hide": "make whole listings unavailable on channels (shown out of stock)",
    "unhide": "make hidden listings available again",
    "delist": "remove whole listings from channels",
    "relist": "list delisted listings again (the next publish/sync lists them)",
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listings = sub.add_parser("listings", help="the hub catalog")
    lsub = listings.add_subparsers(dest="listings_command", required=True, metavar="COMMAND")

    upsert = lsub.add_parser("upsert", help="create or update listings from a CSV or JSONL file")
    upsert.add_argument("file", type=Path)
    upsert.add_argument("--format", choices=["csv", "jsonl"], help="default: by file extension")
    upsert.add_argument("--json", action="store_true")
    upsert.set_defaults(handler=cmd_upsert)

    lst = lsub.add_parser("list", help="list listings")
    lst.add_argument("--status", choices=[s.value for s in ListingStatus])
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--after", type=int, default=0, help="start after this listing id")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    show = lsub.add_parser("show", help="one listing, by variant SKU or listing key")
    show.add_argument("sku")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    for action, help_text in _HELP.items():
        p = lsub.add_parser(action, help=help_text)
        p.add_argument("skus", nargs="+", metavar="SKU")
        p.set_defaults(handler=cmd_action, action=action)

    export = lsub.add_parser("export", help="write every listing as CSV or JSONL")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    export.add_argument("--output", type=Path, help="default: standard output")
    export.set_defaults(handler=cmd_export)


async def cmd_upsert(env: CommandEnv) -> int:
    args = env.args
    try:
        parsed = parse_listing_file(args.file, format=args.format)
    except FileRejected as exc:
        raise UsageError(f"{exc}; nothing was written") from None
    async with env.hub(create=True) as db, db.transaction() as tx:
        result = await upsert_file(tx, SystemClock().now(), parsed)
    report = {
        "rows": parsed.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "listings_created": result.listings_created,
        "rejected": [str(p) for p in parsed.problems],
        "empty": parsed.empty,
    }
    if args.json:
        print_json(report, env.out)
    else:
        for problem in parsed.problems:
            env.out.write(f"{args.file}: {problem}\n")
        env.out.write(
            f"{args.file}: {parsed.rows} row(s): {result.created} created, "
            f"{result.updated} updated, "
            f"{result.unchanged} unchanged, {len(parsed.problems)} rejected"
            + (f": nothing to do, {parsed.empty}" if parsed.empty else "")
            + "\n"
        )
    return 1 if parsed.problems else 0


async def cmd_list(env: CommandEnv) -> int:
    args = env.args
    status = ListingStatus(args.status) if args.status else None
    async with env.hub(create=False) as db, db.transaction() as tx:
        listings = await Catalog(tx, SystemClock().now()).listings(
            after_id=args.after, limit=args.limit, status=status
        )
    if args.json:
        print_json(listings, env.out)
        return 0
    print_table(
        ["id", "key", "name", "status", "presence", "variants", "quantity"],
        [
            (
                item.id,
                item.key,
                item.name,
                item.status,
                item.presence,
                len(item.variants),
                sum(v.quantity or 0 for v in item.variants),
            )
            for item in listings
        ],
        env.out,
    )
    return 0


async def cmd_show(env: CommandEnv) -> int:
    async with env.hub(create=False) as db, db.transaction() as tx:
        listing = await Catalog(tx, SystemClock().now()).listing(env.args.sku)
    if listing is None:
        raise UsageError(f"no listing or variant {env.args.sku!r} in the hub")
    if env.args.json:
        print_json(listing, env.out)
        return 0
    _describe(listing, env)
    return 0


def _describe(listing: Listing, env: CommandEnv) -> None:
    out = env.out
    out.write(f"{listing.key}: {listing.name or '(no name)'}\n")
    out.write(
        f"  status {listing.status.value}, presence {listing.presence.value}, id {listing.id}\n"
    )
    print_table(
        ["sku", "price", "quantity", "upc", "mpn", "gtin", "options"],
        [
            (
                v.sku,
                None if v.price is None else show_money(v.price),
                v.quantity,
                v.upc,
                v.mpn,
                v.gtin,
                "; ".join(f"{n}={val}" for n, val in v.options),
            )
            for v in listing.variants
        ],
        out,
    )


async def cmd_action(env: CommandEnv) -> int:
    column, value, only_from = _ACTIONS[env.args.action]
    async with env.hub(create=False) as db, db.transaction() as tx:
        catalog = Catalog(tx, SystemClock().now())
        if column == "status":
            changed, unknown = await catalog.set_status(env.args.skus, ListingStatus(value))
        else:
            changed, unknown = await catalog.set_presence(
                env.args.skus, Presence(value), only_from=Presence(only_from) if only_from else None
            )
        # Say why the others were left as they were.
        unchanged = [s for s in env.args.skus if s not in unknown]
        found = await catalog.resolve_listings(unchanged)
    for sku in env.args.skus:
        if sku in unknown:
            env.out.write(f"{sku}: not in the hub\n")
        elif sku in found and found[sku]["key"] not in changed:
            row = found[sku]
            why = _why_unchanged(env.args.action, row["key"], row[column], value, only_from)
            env.out.write(f"{sku}: {why}\n")
    env.out.write(
        f"{env.args.action}: {len(changed)} listing(s) changed"
        + (f" ({', '.join(changed)})" if changed else "")
        + "\n"
    )
    return 1 if unknown else 0


def _why_unchanged(action: str, key: str, current: str, wanted: str, only_from: str | None) -> str:
    # "listed already" would not tell an unhide why: it only acts on hidden listings.
    if only_from is not None and (current != wanted or action in ("unhide", "relist")):
        return f"listing {key} is {current}, not {only_from}: nothing to {action}"
    return f"listing {key} is {current} already"


async def cmd_export(env: CommandEnv) -> int:
    args = env.args
    handle = args.output.open("w", newline="", encoding="utf-8") if args.output else env.out
    try:
        writer = csv.writer(handle) if args.format == "csv" else None
        if writer is not None:
            writer.writerow(COLUMNS)
        async with env.hub(create=False) as db:
            after = 0
            while True:
                async with db.transaction() as tx:
                    page = await Catalog(tx, SystemClock().now()).listings(
                        after_id=after, limit=500
                    )
                if not page:
                    break
                for listing in page:
                    for row in _rows(listing):
                        if writer is not None:
                            writer.writerow([_csv_cell(row.get(c)) for c in COLUMNS])
                        else:
                            handle.write(json.dumps(to_jsonable(row), ensure_ascii=False) + "\n")
                after = page[-1].id
    finally:
        if args.output:
            handle.close()
    return 0


def _rows(listing: Listing) -> list[dict[str, Any]]:
    return [
        {
            "sku": v.sku,
            "parent": listing.key,
            "name": listing.name,
            "description": listing.description,
            "upc": v.upc,
            "mpn": v.mpn,
            "gtin": v.gtin,
            "price": v.price,
            "quantity": v.quantity,
            "options": dict(v.options) if v.options else None,
            "attributes": [list(p) for p in v.attributes] if v.attributes else None,
        }
        for v in listing.variants
    ]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(to_jsonable(value))
