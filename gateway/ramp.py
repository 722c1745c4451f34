"""The ramp check: no more traffic to v2 while shadow mode shows it answering differently.

A change that ramps v2 up (canaryPercent raised, or featureFlagUseV2 turned on) is refused
with 409 when the shadow mismatch rate over the report's window (gateway/shadow_report.py)
exceeds SHADOW_MAX_MISMATCH. `force` lets it through, and the audit reason says so with
the figures. With no comparisons in the window there is no evidence either way, and the
change goes through.
"""

from __future__ import annotations

from core.exceptions import Conflict
from core.store.flags import FlagChange, Flags
from gateway.shadow_report import ShadowReport


def ramps_up(flags: Flags, change: FlagChange) -> bool:
    """Whether the change sends v2 more traffic than the flags in force do."""
    if change.use_v2 and not flags.use_v2:
        return True
    return change.canary_percent is not None and change.canary_percent > flags.canary_percent


def check_ramp(
    report: ShadowReport, flags: Flags, change: FlagChange, *, max_mismatch: float, force: bool
) -> str:
    """The note a forced ramp adds to the audit reason ("" when there is nothing to note);
    Conflict when the ramp is refused."""
    if not ramps_up(flags, change):
        return ""
    rate, compared = report.mismatch_rate()
    if not compared or rate <= max_mismatch:
        return ""
    figures = (
        f"shadow mismatch rate {rate:.3f} > SHADOW_MAX_MISMATCH {max_mismatch:.3f}"
        f" over {compared} comparisons in the last {report.window_s / 60:g} min"
    )
    if force:
        return f" [forced past the ramp check: {figures}]"
    raise Conflict(
        f"ramp refused: {figures}; see GET /api/runtime-config/shadow, or send force: true",
        {"mismatchRate": round(rate, 4), "maxMismatch": max_mismatch, "compared": compared},
    )
