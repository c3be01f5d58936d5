"""`flxd orders …`: the hub order book from the command line."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from flxd.clock import SystemClock
from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json, print_table, to_jsonable
from flxd.errors import FlxdError, UsageError
from flxd.hub.files.shipments import ShipmentFileRejected, parse_shipment_file
from flxd.hub.model import Order
from flxd.hub.money import show_money
from flxd.hub.orders import OrderBook, ShipmentRejected
from flxd.hub.shipments import Recorded, ShipmentRequest, parse_item, record_request
from flxd.net.http import open_session
from flxd.runs.explain import explain_order

__all__ = ["add_parsers"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orders = sub.add_parser("orders", help="the hub order book")
    osub = orders.add_subparsers(dest="orders_command", required=True, metavar="COMMAND")

    lst = osub.add_parser("list", help="list imported orders")
    lst.add_argument("--connection")
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--after", type=int, default=0, help="start after this hub order id")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    show = osub.add_parser("show", help="one order: hub id, or CONNECTION CHANNEL_ORDER_ID")
    show.add_argument("ids", nargs="+", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    export = osub.add_parser("export", help="write every order as JSON Lines")
    export.add_argument("--connection")
    export.set_defaults(handler=cmd_export)

    ship = osub.add_parser(
        "ship",
        help="record a shipment (the next sync_orders run pushes it)",
        description="Record a shipment of a hub order: ORDER is a hub order id, or CONNECTION "
        "ORDER_ID. Without --item, everything not shipped yet. Or read many from --file "
        "(CSV or JSON Lines: order or connection+order_id, tracking, carrier, method, items "
        "as SKU=QTY;SKU=QTY or sku+quantity per row). A tracking number already recorded for "
        "the order is not recorded again.",
    )
    ship.add_argument("ids", nargs="*", metavar="ORDER")
    ship.add_argument("--tracking", help="tracking number")
    ship.add_argument("--carrier", help="carrier, e.g. ups (mapped per connection)")
    ship.add_argument("--method", help="shipping method shown to the customer")
    ship.add_argument(
        "--item", action="append", default=[], metavar="SKU=QTY", help="repeat for more items"
    )
    ship.add_argument(
        "--unpaid",
        action="store_true",
        help="ship orders whose status says they are not paid (e.g. Awaiting Payment)",
    )
    ship.add_argument("--file", type=Path, help="a CSV or JSON Lines shipment file")
    ship.add_argument("--format", choices=["csv", "jsonl"], help="default: by file extension")
    ship.add_argument("--json", action="store_true")
    ship.set_defaults(handler=cmd_ship)

    explain = osub.add_parser(
        "explain",
        help="why an order was (not) imported",
        description="Fetch the order from the store and say whether get_orders imported it, "
        "and if not why, with the values compared. Exit status 0 when it is imported, 1 when not.",
    )
    explain.add_argument("connection")
    explain.add_argument("order_id", help="the store's order id")
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(handler=cmd_explain)


async def cmd_list(env: CommandEnv) -> int:
    args = env.args
    async with env.hub(create=False) as db, db.transaction() as tx:
        orders = await OrderBook(tx, SystemClock().now()).orders(
            connection=args.connection, after_id=args.after, limit=args.limit
        )
    if args.json:
        print_json(orders, env.out)
        return 0
    print_table(
        ["id", "connection", "channel id", "status", "created", "total", "lines", "acknowledged"],
        [
            (
                o.id,
                o.connection,
                o.channel_order_id,
                o.status_name or o.status_code,
                o.created_at,
                f"{show_money(o.grand_total, o.currency)} {o.currency or ''}".strip(),
                len(o.lines),
                o.acknowledged_at,
            )
            for o in orders
        ],
        env.out,
    )
    return 0


async def cmd_show(env: CommandEnv) -> int:
    ids = env.args.ids
    async with env.hub(create=False) as db, db.transaction() as tx:
        book = OrderBook(tx, SystemClock().now())
        if len(ids) == 1 and ids[0].isdigit():
            order = await book.get_by_id(int(ids[0]))
        elif len(ids) == 2:
            order = await book.get(ids[0], ids[1])
        else:
            raise UsageError("give a hub order id, or CONNECTION CHANNEL_ORDER_ID")
        shipments = await book.shipments_of(order.id) if order and order.id else []
    if order is None:
        raise UsageError(f"no order {' '.join(ids)} in the hub")
    if env.args.json:
        print_json({"order": order, "shipments": shipments}, env.out)
        return 0
    _describe(order, env)
    if shipments:
        env.out.write("shipments:\n")
        print_table(
            ["id", "state", "carrier", "tracking", "items", "error"],
            [
                (
                    s.id,
                    s.state,
                    s.carrier,
                    s.tracking_number,
                    ", ".join(f"{line.sku}x{line.quantity}" for line in s.lines),
                    s.error,
                )
                for s in shipments
            ],
            env.out,
        )
    return 0


def _describe(order: Order, env: CommandEnv) -> None:
    out = env.out
    out.write(
        f"order {order.id}: {order.connection} #{order.channel_order_id}, "
        f"{order.status_name or order.status_code}\n"
    )
    out.write(
        f"  created {order.created_at.isoformat()}, total "
        f"{show_money(order.grand_total, order.currency)} {order.currency or ''}".rstrip()
        + "\n"
    )
    if order.ack_state is not None:
        out.write(f"  acknowledgement {order.ack_state.value}: {order.ack_note or '-'}\n")
    if order.pii_erased_at:
        out.write(f"  personal data erased {order.pii_erased_at.isoformat()}\n")
    print_table(
        ["line", "sku", "name", "quantity", "unit price"],
        [
            (
                line.channel_line_id,
                line.sku,
                line.name,
                line.quantity,
                None if line.unit_price is None else show_money(line.unit_price, order.currency),
            )
            for line in order.lines
        ],
        out,
    )


async def cmd_export(env: CommandEnv) -> int:
    async with env.hub(create=False) as db:
        after = 0
        while True:
            async with db.transaction() as tx:
                page = await OrderBook(tx, SystemClock().now()).orders(
                    connection=env.args.connection, after_id=after, limit=500
                )
            if not page:
                return 0
            for order in page:
                env.out.write(json.dumps(to_jsonable(order), ensure_ascii=False) + "\n")
            after = page[-1].id or after


# ---- recording shipments ----------------------------------------------------------------------


def _single_request(args: argparse.Namespace) -> ShipmentRequest:
    ids = args.ids
    if len(ids) not in (1, 2):
        raise UsageError("give a hub order id, or CONNECTION ORDER_ID (or --file)")
    try:
        items = tuple(parse_item(text) for text in args.item)
    except ValueError as exc:
        raise UsageError(f"--item {exc}") from None
    return ShipmentRequest(
        order=ids[-1],
        connection=ids[0] if len(ids) == 2 else None,
        carrier=args.carrier,
        tracking_number=args.tracking,
        method=args.method,
        items=items,
        unpaid=args.unpaid,
    )


def _summary(recorded: Recorded) -> str:
    order, shipment = recorded.order, recorded.shipment
    items = ", ".join(f"{line.sku}x{line.quantity}" for line in shipment.lines)
    where = f"order {order.id} ({order.connection} #{order.channel_order_id})"
    if not recorded.created:
        return (
            f"{where} already has shipment {shipment.id} with tracking "
            f"{shipment.tracking_number}: nothing recorded"
        )
    return (
        f"recorded shipment {shipment.id} of {where}: {items}; the next sync_orders run of "
        f"{order.connection} pushes it"
    )


async def cmd_ship(env: CommandEnv) -> int:
    args = env.args
    if args.file is not None:
        if args.ids or args.item or args.tracking or args.carrier or args.method:
            raise UsageError("--file takes the shipments from the file; give nothing else")
        return await _ship_file(env, args.file)
    request = _single_request(args)
    async with env.hub(create=False) as db:
        try:
            async with db.transaction() as tx:
                recorded = await record_request(tx, SystemClock().now(), request)
        except ShipmentRejected as exc:
            raise FlxdError(f"{request.order_ref}: {exc}") from None
    if args.json:
        print_json({"shipment": recorded.shipment, "created": recorded.created}, env.out)
    else:
        env.out.write(_summary(recorded) + "\n")
    return 0


async def _ship_file(env: CommandEnv, path: Path) -> int:
    try:
        parsed = parse_shipment_file(path, format=env.args.format)
    except ShipmentFileRejected as exc:
        raise UsageError(str(exc)) from None
    problems = [(line, message) for line, message in parsed.problems]
    results: list[Recorded] = []
    async with env.hub(create=False) as db, db.transaction() as tx:
        now = SystemClock().now()
        for line, request in parsed.requests:
            try:
                wanted = replace(request, unpaid=True) if env.args.unpaid else request
                results.append(await record_request(tx, now, wanted))
            except ShipmentRejected as exc:
                problems.append((line, f"{request.order_ref}: {exc}"))
    created = sum(1 for r in results if r.created)
    if env.args.json:
        print_json(
            {
                "shipments": [r.shipment for r in results if r.created],
                "already_recorded": [r.shipment.id for r in results if not r.created],
                "problems": [{"line": line, "message": m} for line, m in sorted(problems)],
            },
            env.out,
        )
    else:
        for line, message in sorted(problems):
            env.out.write(f"{path}: line {line}: {message}\n")
        env.out.write(
            f"{path}: {parsed.rows} row(s): {created} shipment(s) recorded, "
            f"{len(results) - created} already recorded, {len(problems)} rejected\n"
        )
    return 1 if problems else 0


# ---- explaining an import ---------------------------------------------------------------------


async def cmd_explain(env: CommandEnv) -> int:
    env.setup_logging()
    args = env.args
    if args.connection in env.config.connections:
        env.need_secrets(f"connections.{args.connection}", "daemon")
    async with open_session() as session:
        report = await explain_order(
            env.config,
            env.host,
            args.connection,
            args.order_id,
            clock=SystemClock(),
            session=session,
        )
    if args.json:
        print_json(
            {
                "connection": report.connection,
                "order_id": report.order_id,
                "imported": report.imported,
                "reasons": list(report.reasons),
                "facts": report.facts,
            },
            env.out,
        )
    else:
        out = env.out
        out.write(f"{report.connection} #{report.order_id}: {report.verdict}\n")
        for reason in report.reasons:
            out.write(f"  why: {reason}\n")
        width = max((len(k) for k in report.facts), default=0)
        for key, value in report.facts.items():
            out.write(f"  {key.ljust(width)}  {value}\n")
    return 0 if report.imported else 1
