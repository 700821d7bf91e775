"""An SVG picture of the board, as the README shows it.

    python -m tinycrm.tui.screenshot docs/board.svg [--db PATH] [--size 160x45] [--keys c f]

Without ``--db`` it uses the demo database (building it first if needed), never
the user's own.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tinycrm.tui.screenshot")
    parser.add_argument("out", type=Path, help="where to write the SVG")
    parser.add_argument("--db", help="database (default: the demo database)")
    parser.add_argument("--size", default="160x45", help="terminal size, COLUMNSxLINES")
    parser.add_argument("--keys", nargs="*", default=[], help="keys to press first")
    args = parser.parse_args(argv)
    import tinycrm
    from tinycrm.files import write_text
    from tinycrm.tui.app import make_app

    if args.db is None:
        from tinycrm.demo import demo_path, ensure_demo

        ensure_demo(demo_path())
        args.db = str(demo_path())
    columns, lines = (int(n) for n in args.size.lower().split("x"))
    app = make_app(tinycrm.open(args.db), poll_interval=0)

    async def run() -> None:
        async with app.run_test(size=(columns, lines)) as pilot:
            board = app.screen_stack[0]
            while not getattr(board, "loaded", False):
                await asyncio.sleep(0.02)
            for key in args.keys:
                await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            write_text(args.out, app.export_screenshot(), mkdir=True)

    asyncio.run(run())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
