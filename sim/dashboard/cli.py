"""The `journeys-dashboard` command: serve the dashboard page (sim.dashboard.app) with solara's server.

Bound to 127.0.0.1 unless --host says otherwise: the page runs simulations on request, so it is for this
machine unless its user chooses to share it. Solara's version check and usage telemetry are switched off
(they call the internet); the environment is set before solara is imported, which reads it then.
"""

import argparse
import os


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="journeys-dashboard",
        description="Explore a what-if in the browser: choose an area, system, scenario, policy year, levers and "
                    "seeds; see the baseline and the choice run on the same seeds as fan charts, and their "
                    "differences since the policy year.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0: a free one)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    from solara.__main__ import cli  # after the environment above: solara reads its settings on import

    cli.main(["run", "sim.dashboard.app", "--host", args.host, "--port", str(args.port), "--production",
              "--open" if args.open else "--no-open", "--no-check-version", "--log-level-uvicorn", "warning"],
             prog_name="journeys-dashboard")


if __name__ == "__main__":
    main()
