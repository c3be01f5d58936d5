"""`flxd orders …`: the hub order book from the command line."""

from __future__ import annotations

import argparse
import json

from flxd.clock import SystemClock
from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json, print_table, to_jsonable
from flxd.errors import UsageError
from flxd.model import Order
from flxd.orders import OrderBook

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


async def cmd_list(env: CommandEnv) -> int:
    args = env.args
    async with env.hub() as db, db.transaction() as tx:
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
                f"{o.grand_total} {o.currency or ''}".strip(),
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
    async with env.hub() as db, db.transaction() as tx:
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
        f"  created {order.created_at.isoformat()}, total {order.grand_total} "
        f"{order.currency or ''}\n"
    )
    if order.pii_erased_at:
        out.write(f"  personal data erased {order.pii_erased_at.isoformat()}\n")
    print_table(
        ["line", "sku", "name", "quantity", "unit price"],
        [
            (line.channel_line_id, line.sku, line.name, line.quantity, line.unit_price)
            for line in order.lines
        ],
        out,
    )


async def cmd_export(env: CommandEnv) -> int:
    async with env.hub() as db:
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
