"""`flxd listings …` says why nothing changed, and refuses a listing's key as a variant."""

from __future__ import annotations

from pathlib import Path

from tests.commands.cli import MEMORY_TOKEN, flxd, memory_config

TEE = "sku,parent,name,price,options\nTEE-S,TEE,Tee,19.90,Size=S\nTEE-M,TEE,Tee,19.90,Size=M\n"


def hub_with_tee(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "flxd.toml"
    config.write_text("[daemon]\nstate_dir = 'state'\n")
    feed = tmp_path / "tee.csv"
    feed.write_text(TEE)
    assert flxd(config, "listings", "upsert", str(feed)).code == 0
    return config, feed


def test_an_action_that_changes_nothing_says_why(tmp_path: Path) -> None:
    config, _ = hub_with_tee(tmp_path)
    unhide = flxd(config, "listings", "unhide", "TEE-S", "NOPE")
    assert unhide.out == (
        "TEE-S: listing TEE is listed, not hidden: nothing to unhide\n"
        "NOPE: not in the hub\n"
        "unhide: 0 listing(s) changed\n"
    )
    assert unhide.code == 1  # an unknown SKU
    assert flxd(config, "listings", "hide", "TEE").out == "hide: 1 listing(s) changed (TEE)\n"
    assert flxd(config, "listings", "hide", "TEE-M").out == (
        "TEE-M: listing TEE is hidden already\nhide: 0 listing(s) changed\n"
    )
    flxd(config, "listings", "pause", "TEE")
    assert flxd(config, "listings", "pause", "TEE").out.startswith(
        "TEE: listing TEE is paused already\n"
    )


def test_a_file_without_rows_says_so(tmp_path: Path) -> None:
    config, feed = hub_with_tee(tmp_path)
    feed.write_text("sku,price\n")
    result = flxd(config, "listings", "upsert", str(feed))
    assert result.code == 0
    assert result.out == (
        f"{feed}: 0 row(s): 0 created, 0 updated, 0 unchanged, 0 rejected: nothing to do, "
        "the file has a header line and no rows\n"
    )


def test_upsert_refuses_a_row_whose_sku_is_a_listings_key(tmp_path: Path) -> None:
    config, feed = hub_with_tee(tmp_path)
    feed.write_text("sku,price\nTEE,26.8\n")
    result = flxd(config, "listings", "upsert", str(feed))
    assert result.code == 1
    assert result.out.startswith(f"{feed}: line 2: sku: TEE is the key of listing TEE ")
    assert result.out.endswith("1 row(s): 0 created, 0 updated, 0 unchanged, 1 rejected\n")
    shown = flxd(config, "listings", "show", "TEE").out
    assert "TEE-S" in shown and "\nTEE " not in shown


def test_a_feed_refuses_such_rows_and_says_when_a_file_has_none(tmp_path: Path) -> None:
    feed = tmp_path / "supplier.csv"
    config = memory_config(
        tmp_path,
        extra=f"[feeds.supplier]\ntype = 'file'\npath = '{feed}'\n",
    )
    env = {"SHOP1_TOKEN": MEMORY_TOKEN}
    feed.write_text(TEE + "TEE,,Tee,1,\n")
    first = flxd(config, "run", "--once", env=env)
    assert '"event": "feed row rejected"' in first.err
    assert "TEE is the key of listing TEE (variants TEE-S, TEE-M)" in first.err
    feed.write_text("sku,price\n")
    second = flxd(config, "run", "--once", env=env)
    assert '"reason": "the file has a header line and no rows"' in second.err
    assert '"event": "feed file has no rows"' in second.err


def test_prices_are_shown_with_two_places_and_every_digit_the_hub_holds(tmp_path: Path) -> None:
    config, feed = hub_with_tee(tmp_path)
    feed.write_text("sku,price\nTEE-S,26.8\nTEE-M,1e3\nMUG,12.345\n")
    assert flxd(config, "listings", "upsert", str(feed)).code == 0
    tee = flxd(config, "listings", "show", "TEE").out.splitlines()
    assert [line.split()[:2] for line in tee[3:]] == [["TEE-S", "26.80"], ["TEE-M", "1000.00"]]
    assert flxd(config, "listings", "show", "MUG").out.splitlines()[3].split()[:2] == [
        "MUG",
        "12.345",
    ]
